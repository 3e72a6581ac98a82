package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/member"
)

var _ application.ArtStore = (*ArtStore)(nil)

type artRow struct {
	bun.BaseModel `bun:"table:arts,alias:a"`

	ID           int64     `bun:"id,pk,autoincrement"`
	OwnerID      int64     `bun:"owner_id"`
	Name         string    `bun:"name"`
	Description  string    `bun:"description"`
	Type         string    `bun:"type"`
	Price        int64     `bun:"price"`
	CurrentPrice int64     `bun:"current_price"`
	Status       string    `bun:"status"`
	LikeCount    int64     `bun:"like_count"`
	BidCount     int64     `bun:"bid_count"`
	ImageKey     string    `bun:"image_key"`
	ImageFormat  string    `bun:"image_format"`
	ImageWidth   int       `bun:"image_width"`
	ImageHeight  int       `bun:"image_height"`
	ImageSize    int64     `bun:"image_size"`
	ImageETag    string    `bun:"image_etag"`
	CreatedAt    time.Time `bun:"created_at"`
	UpdatedAt    time.Time `bun:"updated_at"`
}

type hashtagRow struct {
	bun.BaseModel `bun:"table:art_hashtags,alias:h"`

	ArtID    int64  `bun:"art_id,pk"`
	Position int16  `bun:"position"`
	Name     string `bun:"name,pk"`
	// ArtCreatedAt is the art's listing time, which a hashtag's newest and
	// oldest pages are read in.
	ArtCreatedAt time.Time `bun:"art_created_at"`
}

type auctionRow struct {
	bun.BaseModel `bun:"table:auctions,alias:au"`

	ID              int64     `bun:"id,pk,autoincrement"`
	ArtID           int64     `bun:"art_id"`
	StartAt         time.Time `bun:"start_at"`
	EndAt           time.Time `bun:"end_at"`
	StartPrice      int64     `bun:"start_price"`
	BuyNowPrice     int64     `bun:"buy_now_price,nullzero"`
	BidIncrement    int64     `bun:"bid_increment"`
	ReservePrice    int64     `bun:"reserve_price,nullzero"`
	Status          string    `bun:"status"`
	HighestAmount   int64     `bun:"highest_amount"`
	HighestBidderID int64     `bun:"highest_bidder_id,nullzero"`
	BidCount        int64     `bun:"bid_count"`
	CreatedAt       time.Time `bun:"created_at"`
	UpdatedAt       time.Time `bun:"updated_at"`
}

// artListRow is an art with what a summary shows next to it.
type artListRow struct {
	artRow `bun:",extend"`

	OwnerNickname string       `bun:"owner_nickname"`
	OwnerSchool   string       `bun:"owner_school"`
	AuctionEndAt  sql.NullTime `bun:"auction_end_at"`
}

// artDetailRow is an art with its owner, its auction (all NULL for a general
// art) and its highest bidder.
type artDetailRow struct {
	artListRow `bun:",extend"`

	AuctionID              sql.NullInt64  `bun:"auction_id"`
	AuctionStartAt         sql.NullTime   `bun:"auction_start_at"`
	AuctionStartPrice      sql.NullInt64  `bun:"auction_start_price"`
	AuctionBuyNowPrice     sql.NullInt64  `bun:"auction_buy_now_price"`
	AuctionBidIncrement    sql.NullInt64  `bun:"auction_bid_increment"`
	AuctionReservePrice    sql.NullInt64  `bun:"auction_reserve_price"`
	AuctionStatus          sql.NullString `bun:"auction_status"`
	AuctionHighestAmount   sql.NullInt64  `bun:"auction_highest_amount"`
	AuctionHighestBidderID sql.NullInt64  `bun:"auction_highest_bidder_id"`
	AuctionBidCount        sql.NullInt64  `bun:"auction_bid_count"`
	BidderNickname         sql.NullString `bun:"bidder_nickname"`
	BidderSchool           sql.NullString `bun:"bidder_school"`
	Liked                  bool           `bun:"liked"`
	BuyerID                sql.NullInt64  `bun:"buyer_id"`
	BuyerNickname          sql.NullString `bun:"buyer_nickname"`
	SoldPrice              sql.NullInt64  `bun:"sold_price"`
}

func artToRow(a *art.Art) artRow {
	img := a.Image()
	return artRow{
		ID:           a.ID(),
		OwnerID:      a.OwnerID(),
		Name:         a.Name(),
		Description:  a.Description(),
		Type:         string(a.Type()),
		Price:        a.Price(),
		CurrentPrice: a.CurrentPrice(),
		Status:       string(a.Status()),
		LikeCount:    a.LikeCount(),
		BidCount:     a.BidCount(),
		ImageKey:     img.Key(),
		ImageFormat:  string(img.Format()),
		ImageWidth:   img.Width(),
		ImageHeight:  img.Height(),
		ImageSize:    img.Size(),
		ImageETag:    img.ETag(),
		CreatedAt:    a.CreatedAt(),
		UpdatedAt:    a.CreatedAt(),
	}
}

func artFromRow(r artRow, hashtags []string) (*art.Art, error) {
	t, ok := art.ParseType(r.Type)
	if !ok {
		return nil, fmt.Errorf("art %d: unknown type %q", r.ID, r.Type)
	}
	st, ok := art.ParseStatus(r.Status)
	if !ok {
		return nil, fmt.Errorf("art %d: unknown status %q", r.ID, r.Status)
	}
	format, err := art.ParseImageFormat(r.ImageFormat)
	if err != nil {
		return nil, fmt.Errorf("art %d: image format %q: %w", r.ID, r.ImageFormat, err)
	}
	return art.Restore(art.Record{
		ID:           r.ID,
		OwnerID:      r.OwnerID,
		Name:         r.Name,
		Description:  r.Description,
		Type:         t,
		Price:        r.Price,
		CurrentPrice: r.CurrentPrice,
		Hashtags:     hashtags,
		Image:        art.RestoreImage(r.ImageKey, format, r.ImageWidth, r.ImageHeight, r.ImageSize, r.ImageETag),
		Status:       st,
		LikeCount:    r.LikeCount,
		BidCount:     r.BidCount,
		CreatedAt:    r.CreatedAt.UTC(),
	}), nil
}

func auctionToRow(au *auction.Auction, artID int64, now time.Time) auctionRow {
	terms := au.Terms()
	return auctionRow{
		ID:              au.ID(),
		ArtID:           artID,
		StartAt:         terms.StartAt(),
		EndAt:           terms.EndAt(),
		StartPrice:      terms.StartPrice(),
		BuyNowPrice:     terms.BuyNowPrice(),
		BidIncrement:    terms.BidIncrement(),
		ReservePrice:    terms.ReservePrice(),
		Status:          string(au.StoredStatus()),
		HighestAmount:   au.HighestAmount(),
		HighestBidderID: au.HighestBidderID(),
		BidCount:        au.BidCount(),
		CreatedAt:       now,
		UpdatedAt:       now,
	}
}

// auctionFromDetailRow rebuilds the auction of a detail row of an auction art.
func auctionFromDetailRow(r artDetailRow) (*auction.Auction, error) {
	if !r.AuctionID.Valid {
		return nil, fmt.Errorf("art %d: the detail row has no auction", r.ID)
	}
	st, err := auction.ParseStatus(r.AuctionStatus.String)
	if err != nil {
		return nil, fmt.Errorf("auction %d: %w", r.AuctionID.Int64, err)
	}
	return auction.Restore(auction.Record{
		ID:              r.AuctionID.Int64,
		ArtID:           r.ID,
		StartAt:         r.AuctionStartAt.Time.UTC(),
		EndAt:           r.AuctionEndAt.Time.UTC(),
		StartPrice:      r.AuctionStartPrice.Int64,
		BuyNowPrice:     r.AuctionBuyNowPrice.Int64,
		BidIncrement:    r.AuctionBidIncrement.Int64,
		ReservePrice:    r.AuctionReservePrice.Int64,
		Status:          st,
		HighestAmount:   r.AuctionHighestAmount.Int64,
		HighestBidderID: r.AuctionHighestBidderID.Int64,
		BidCount:        r.AuctionBidCount.Int64,
	}), nil
}

func summaryFromRow(r artListRow, hashtags []string) (application.ArtSummary, error) {
	a, err := artFromRow(r.artRow, hashtags)
	if err != nil {
		return application.ArtSummary{}, err
	}
	s := application.ArtSummary{
		Art:   a,
		Owner: application.MemberRef{ID: r.OwnerID, Nickname: r.OwnerNickname, School: r.OwnerSchool},
	}
	if r.AuctionEndAt.Valid {
		s.AuctionEndAt = r.AuctionEndAt.Time.UTC()
	}
	return s, nil
}

// ArtStore keeps arts in the arts table with their hashtags and auction, and
// answers the catalog's lists.
type ArtStore struct {
	db *bun.DB
}

// NewArtStore builds an ArtStore over db.
func NewArtStore(db *bun.DB) *ArtStore {
	return &ArtStore{db: db}
}

// Create inserts the art, its hashtags and its auction (when au is not nil) in
// the caller's transaction, or in one of its own.
func (s *ArtStore) Create(ctx context.Context, a *art.Art, au *auction.Auction) (int64, error) {
	row := artToRow(a)
	err := NewTransactor(s.db).WithinTx(ctx, func(ctx context.Context) error {
		db := idb(ctx, s.db)
		if _, err := db.NewInsert().Model(&row).Returning("id").Exec(ctx); err != nil {
			if _, ok := violatedConstraint(err, foreignKeyViolation); ok {
				return fmt.Errorf("insert art: owner %d: %w", a.OwnerID(), member.ErrNotFound)
			}
			return fmt.Errorf("insert art: %w", err)
		}
		if err := insertHashtags(ctx, db, row.ID, row.CreatedAt, a.Hashtags().List()); err != nil {
			return err
		}
		if au == nil {
			return nil
		}
		auRow := auctionToRow(au, row.ID, a.CreatedAt())
		if _, err := db.NewInsert().Model(&auRow).Returning("id").Exec(ctx); err != nil {
			return fmt.Errorf("insert auction: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return row.ID, nil
}

func insertHashtags(ctx context.Context, db bun.IDB, artID int64, listedAt time.Time, tags []string) error {
	if len(tags) == 0 {
		return nil
	}
	rows := make([]hashtagRow, len(tags))
	for i, tag := range tags {
		rows[i] = hashtagRow{ArtID: artID, Position: int16(i), Name: tag, ArtCreatedAt: listedAt} // at most art.MaxHashtags
	}
	if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("insert hashtags: %w", err)
	}
	return nil
}

// hashtagsOf reads the hashtags of the given arts, each list in the owner's order.
func hashtagsOf(ctx context.Context, db bun.IDB, artIDs []int64) (map[int64][]string, error) {
	tags := make(map[int64][]string, len(artIDs))
	if len(artIDs) == 0 {
		return tags, nil
	}
	var rows []hashtagRow
	err := db.NewSelect().Model(&rows).
		Where("h.art_id IN (?)", bun.List(artIDs)).
		OrderExpr("h.art_id, h.position").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("select hashtags: %w", err)
	}
	for _, r := range rows {
		tags[r.ArtID] = append(tags[r.ArtID], r.Name)
	}
	return tags, nil
}

// artByIDSQL reads an art with its hashtags in order, in one round trip: every
// image request, edit and delete starts with it.
const artByIDSQL = `SELECT a.id, a.owner_id, a.name, a.description, a.type, a.price, a.current_price, a.status,
	a.like_count, a.bid_count, a.image_key, a.image_format, a.image_width, a.image_height, a.image_size,
	a.image_etag, a.created_at,
	ARRAY(SELECT h.name FROM art_hashtags AS h WHERE h.art_id = a.id ORDER BY h.position)
FROM arts AS a WHERE a.id = $1`

// ByID finds an art with its hashtags.
func (s *ArtStore) ByID(ctx context.Context, id int64) (*art.Art, error) {
	var r artRow
	var tags []string
	err := prepared(ctx, s.db).QueryRow(ctx, artByIDSQL, id).Scan(&r.ID, &r.OwnerID, &r.Name, &r.Description, &r.Type,
		&r.Price, &r.CurrentPrice, &r.Status, &r.LikeCount, &r.BidCount, &r.ImageKey, &r.ImageFormat, &r.ImageWidth,
		&r.ImageHeight, &r.ImageSize, &r.ImageETag, &r.CreatedAt, pgtype.NewMap().SQLScanner(&tags))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, art.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("select art: %w", err)
	}
	return artFromRow(r, tags)
}

// summaryColumns are the columns of artListRow, from arts AS a, members AS m
// and auctions AS au.
func summaryColumns(q *bun.SelectQuery) *bun.SelectQuery {
	return q.ColumnExpr(`a.id, a.owner_id, a.name, a.description, a.type, a.price, a.current_price, a.status,
		a.like_count, a.bid_count, a.image_key, a.image_format, a.image_width, a.image_height, a.image_size,
		a.image_etag, a.created_at, a.updated_at`).
		ColumnExpr("m.nickname AS owner_nickname").
		ColumnExpr("m.school AS owner_school").
		ColumnExpr("au.end_at AS auction_end_at")
}

// highestBidderOf is the leader of a detail row's auction; nil without one.
func highestBidderOf(r artDetailRow) *application.MemberRef {
	if !r.AuctionHighestBidderID.Valid {
		return nil
	}
	return &application.MemberRef{
		ID:       r.AuctionHighestBidderID.Int64,
		Nickname: r.BidderNickname.String,
		School:   r.BidderSchool.String,
	}
}

// auctionDetailColumns are the auction and highest-bidder columns of
// artDetailRow, from auctions AS au and members AS hb.
const auctionDetailColumns = `au.id, au.start_at, au.start_price, au.buy_now_price, au.bid_increment, au.reserve_price, au.status,
	au.highest_amount, au.highest_bidder_id, au.bid_count, hb.nickname, hb.school`

// artDetailColumns and artDetailSource are an art's page: the art with its
// hashtags, owner, auction, highest bidder and sale, read in one round trip.
const (
	artDetailColumns = `SELECT ` + summarySelectList + `, ` + auctionDetailColumns + `,
	pu.buyer_id, buyer.nickname, pu.price`
	artDetailSource = `
FROM arts AS a
JOIN members AS m ON m.id = a.owner_id
LEFT JOIN auctions AS au ON au.art_id = a.id
LEFT JOIN members AS hb ON hb.id = au.highest_bidder_id
LEFT JOIN purchases AS pu ON pu.art_id = a.id
LEFT JOIN members AS buyer ON buyer.id = pu.buyer_id
WHERE a.id = $1`
)

// artDetailSQL reads an art's page for an anonymous visitor.
const artDetailSQL = artDetailColumns + artDetailSource

// artDetailForViewerSQL is artDetailSQL with whether the viewer ($2) likes the art.
const artDetailForViewerSQL = artDetailColumns + `,
	EXISTS (SELECT 1 FROM art_likes AS l WHERE l.member_id = $2 AND l.art_id = a.id)` + artDetailSource

// detailTargets are where summarySelectList and auctionDetailColumns scan to.
func (r *artDetailRow) detailTargets(types *pgtype.Map, tags *[]string) []any {
	return append(r.summaryTargets(types, tags), &r.AuctionID, &r.AuctionStartAt, &r.AuctionStartPrice,
		&r.AuctionBuyNowPrice, &r.AuctionBidIncrement, &r.AuctionReservePrice, &r.AuctionStatus, &r.AuctionHighestAmount,
		&r.AuctionHighestBidderID, &r.AuctionBidCount, &r.BidderNickname, &r.BidderSchool)
}

// Detail reads an art's page: the art, its owner, its auction with the highest
// bidder, and whether viewerID (0: anonymous) likes it, in one round trip.
func (s *ArtStore) Detail(ctx context.Context, id, viewerID int64) (application.ArtDetail, error) {
	var row artDetailRow
	var tags []string
	targets := append(row.detailTargets(pgtype.NewMap(), &tags), &row.BuyerID, &row.BuyerNickname, &row.SoldPrice)
	query, args := artDetailSQL, []any{id}
	if viewerID != 0 {
		query, args, targets = artDetailForViewerSQL, append(args, viewerID), append(targets, &row.Liked)
	}
	err := prepared(ctx, s.db).QueryRow(ctx, query, args...).Scan(targets...)
	if errors.Is(err, sql.ErrNoRows) {
		return application.ArtDetail{}, art.ErrNotFound
	}
	if err != nil {
		return application.ArtDetail{}, fmt.Errorf("select art detail: %w", err)
	}
	summary, err := summaryFromRow(row.artListRow, tags)
	if err != nil {
		return application.ArtDetail{}, err
	}
	detail := application.ArtDetail{ArtSummary: summary, HighestBidder: highestBidderOf(row)}
	if row.AuctionID.Valid {
		if detail.Auction, err = auctionFromDetailRow(row); err != nil {
			return application.ArtDetail{}, err
		}
	}
	if row.BuyerID.Valid {
		detail.Buyer = &application.MemberRef{ID: row.BuyerID.Int64, Nickname: row.BuyerNickname.String}
		detail.SoldPrice = row.SoldPrice.Int64
	}
	if viewerID != 0 {
		liked := row.Liked
		detail.Liked = &liked
	}
	return detail, nil
}

// Update stores the art's name, description and hashtags with a write that
// refuses a sold art, in one transaction.
func (s *ArtStore) Update(ctx context.Context, a *art.Art) error {
	return NewTransactor(s.db).WithinTx(ctx, func(ctx context.Context) error {
		db := idb(ctx, s.db)
		res, err := db.NewUpdate().Model((*artRow)(nil)).
			Set("name = ?", a.Name()).
			Set("description = ?", a.Description()).
			Set("updated_at = now()").
			Where("id = ?", a.ID()).
			Where("status <> ?", string(art.StatusSold)).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("update art: %w", err)
		}
		n, err := rowsAffected(res)
		if err != nil {
			return err
		}
		if n == 0 {
			return s.whyUnchanged(ctx, a.ID())
		}
		if _, err := db.NewDelete().Model((*hashtagRow)(nil)).Where("art_id = ?", a.ID()).Exec(ctx); err != nil {
			return fmt.Errorf("delete hashtags: %w", err)
		}
		return insertHashtags(ctx, db, a.ID(), a.CreatedAt(), a.Hashtags().List())
	})
}

// Delete removes the art, and with it its hashtags, likes and auction, with a
// write that refuses a sold art or one whose auction has a bid.
func (s *ArtStore) Delete(ctx context.Context, id int64) error {
	res, err := idb(ctx, s.db).NewDelete().Model((*artRow)(nil)).
		Where("id = ?", id).
		Where("status <> ?", string(art.StatusSold)).
		Where("bid_count = 0").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete art: %w", err)
	}
	n, err := rowsAffected(res)
	if err != nil {
		return err
	}
	if n == 0 {
		return s.whyUnchanged(ctx, id)
	}
	return nil
}

// whyUnchanged tells why a conditional write on an art changed nothing.
func (s *ArtStore) whyUnchanged(ctx context.Context, id int64) error {
	var row artRow
	err := idb(ctx, s.db).NewSelect().Model(&row).Column("status", "bid_count").Where("id = ?", id).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return art.ErrNotFound
	case err != nil:
		return fmt.Errorf("look for unchanged art: %w", err)
	case row.Status == string(art.StatusSold):
		return art.ErrSold
	case row.BidCount > 0:
		return art.ErrAuctionHasBids
	}
	return fmt.Errorf("art %d changed nothing though it may change", id)
}

// summariesOf builds the summaries of rows, reading their hashtags in one query.
func summariesOf(ctx context.Context, db bun.IDB, rows []artListRow) ([]application.ArtSummary, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	tags, err := hashtagsOf(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	items := make([]application.ArtSummary, len(rows))
	for i, r := range rows {
		if items[i], err = summaryFromRow(r, tags[r.ID]); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// escapeLike makes s match itself literally inside a LIKE pattern escaped by '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
