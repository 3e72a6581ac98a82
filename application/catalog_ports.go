package application

//go:generate go tool mockgen -source=catalog_ports.go -destination=mock/catalog_ports.go -package=mock

import (
	"context"
	"io"
	"time"

	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/auction"
)

// MemberRef is how a member appears next to an art: the owner, a bidder, a buyer.
type MemberRef struct {
	ID       int64
	Nickname string
	School   string
}

// ArtSummary is an art as lists show it.
type ArtSummary struct {
	Art   *art.Art
	Owner MemberRef
	// AuctionEndAt is the end of an auction art's auction; zero for general arts.
	AuctionEndAt time.Time
}

// ArtDetail is an art as its own page shows it.
type ArtDetail struct {
	ArtSummary
	// Auction is nil for a general art.
	Auction *auction.Auction
	// HighestBidder is set when the auction has a bid.
	HighestBidder *MemberRef
	// Liked tells whether the viewer likes the art; nil for an anonymous viewer.
	Liked *bool
	// Buyer and SoldPrice are set once the art is sold.
	Buyer     *MemberRef
	SoldPrice int64
}

// ReservePriceFor is the reserve of the art's auction as viewerID (0:
// anonymous) may see it: only the art's owner does (docs/rules.md,
// Auctions); 0 for anyone else, and without a reserve.
func (d ArtDetail) ReservePriceFor(viewerID int64) int64 {
	if d.Auction == nil || viewerID == 0 || viewerID != d.Art.OwnerID() {
		return 0
	}
	return d.Auction.Terms().ReservePrice()
}

// ArtSort orders art lists; every order breaks ties by id, newest first.
type ArtSort string

// The sorts of the OpenAPI document.
const (
	SortNewest     ArtSort = "newest"
	SortOldest     ArtSort = "oldest"
	SortPriceAsc   ArtSort = "price_asc"
	SortPriceDesc  ArtSort = "price_desc"
	SortLikesDesc  ArtSort = "likes_desc"
	SortLikesAsc   ArtSort = "likes_asc"
	SortBidsDesc   ArtSort = "bids_desc"
	SortBidsAsc    ArtSort = "bids_asc"
	SortEndingSoon ArtSort = "ending_soon"
)

// ArtStatusFilter narrows a list by status; StatusOpenAuction means auctions open now.
type ArtStatusFilter string

// The status filters of the OpenAPI document.
const (
	StatusAnyArt      ArtStatusFilter = ""
	StatusOnSaleArt   ArtStatusFilter = "on_sale"
	StatusSoldArt     ArtStatusFilter = "sold"
	StatusUnsoldArt   ArtStatusFilter = "unsold"
	StatusOpenAuction ArtStatusFilter = "open_auction"
)

// ArtQuery selects and orders arts. Zero values select everything.
type ArtQuery struct {
	// Text is matched, case-insensitively, inside the name or the description.
	Text    string
	Hashtag string
	// Type is "" for both types.
	Type   art.Type
	Status ArtStatusFilter
	Sort   ArtSort
	// OwnerID, when set, lists only that member's arts.
	OwnerID int64
	// LikedBy, when set, lists only arts that member likes, most recently liked
	// first (Sort is then ignored).
	LikedBy int64
	// Now decides which auctions are open (for StatusOpenAuction and
	// SortEndingSoon). A page after a cursor keeps the Now of the list's first
	// page, so that its order does not shift between pages.
	Now time.Time
}

// ArtStore keeps arts with their auction, hashtags and counters.
type ArtStore interface {
	// Create inserts the art, its hashtags and, for an auction art, its auction,
	// in the caller's transaction; it returns the new art id.
	Create(ctx context.Context, a *art.Art, au *auction.Auction) (int64, error)
	// ByID returns art.ErrNotFound for an unknown id.
	ByID(ctx context.Context, id int64) (*art.Art, error)
	// Detail reads an art's page; viewerID 0 is an anonymous viewer.
	Detail(ctx context.Context, id, viewerID int64) (ArtDetail, error)
	// Update stores name, description and hashtags unless the art was sold
	// meanwhile (art.ErrSold).
	Update(ctx context.Context, a *art.Art) error
	// Delete removes the art unless it was sold or bid on meanwhile
	// (art.ErrSold, art.ErrAuctionHasBids).
	Delete(ctx context.Context, id int64) error
	// List answers a page of the arts q selects, in q's order. A page after a
	// cursor starts after its keyset, and only there: arts added meanwhile
	// neither repeat nor hide others. A numbered page also counts the arts q
	// selects, at least up to TotalCap. A keyset of the wrong shape gives
	// ErrInvalidCursor.
	List(ctx context.Context, q ArtQuery, page PageRequest) (StoredPage[ArtSummary], error)
}

// LikeStore keeps likes; both calls are idempotent and keep the art's like count
// exact under concurrency. Unknown arts give art.ErrNotFound.
type LikeStore interface {
	Like(ctx context.Context, memberID, artID int64, now time.Time) error
	Unlike(ctx context.Context, memberID, artID int64) error
}

// HashtagCount is a hashtag with how many arts carry it.
type HashtagCount struct {
	Name     string
	ArtCount int
}

// HashtagStore answers hashtag autocompletion.
type HashtagStore interface {
	// Popular lists hashtags starting with prefix, most used first, then by name.
	Popular(ctx context.Context, prefix string, limit int) ([]HashtagCount, error)
}

// InspectedImage is what an image's header says it is.
type InspectedImage struct {
	Format art.ImageFormat
	Width  int
	Height int
}

// ImageInspector reads an image's format and size from its content, never from
// a file name: art.ErrUnsupportedImage for anything but JPEG, PNG or WebP.
type ImageInspector interface {
	Inspect(data []byte) (InspectedImage, error)
}

// ImageStore keeps image bytes under keys it makes itself.
type ImageStore interface {
	Save(ctx context.Context, data []byte, format art.ImageFormat) (key string, err error)
	// Open returns art.ErrNotFound when no image has that key.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	// Delete succeeds when the image is already gone.
	Delete(ctx context.Context, key string) error
}

// ImageRemoval is an image due to leave the image store.
type ImageRemoval struct {
	Key string
	// Attempts counts the removals of it that failed so far.
	Attempts int
}

// ImageRemovals is the durable list of images to remove from the image store.
// It lives with the arts, so that scheduling a removal commits or rolls back
// with the change that makes the image unneeded.
type ImageRemovals interface {
	// Schedule records, in the transaction of ctx if any, that the image at key
	// is to be removed from at on; scheduling a key again is no error.
	Schedule(ctx context.Context, key string, at time.Time) error
	// ClaimDue leases up to limit removals due at now, so that no other
	// instance tries them until lease has passed.
	ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]ImageRemoval, error)
	// Done forgets a removal carried out.
	Done(ctx context.Context, key string) error
	// Retry records a failed attempt and makes the removal due again at at.
	Retry(ctx context.Context, key string, attempts int, at time.Time, reason string) error
	// Pending counts the removals not yet carried out.
	Pending(ctx context.Context) (int, error)
}
