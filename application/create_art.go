package application

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/validation"
)

// CreateArtCommand lists a work. The auction fields are for auction arts
// only; nil means "not given".
type CreateArtCommand struct {
	OwnerID      int64
	Name         string
	Description  string
	Type         string
	Price        int64
	Hashtags     []string
	Image        []byte
	StartAt      *time.Time
	EndAt        *time.Time
	BuyNowPrice  *int64
	BidIncrement *int64
	ReservePrice *int64
}

// CreateArt stores the image, then the art (and its auction) in one
// transaction, with the fan-out that tells the artist's followers; an image
// whose art could not be written is removed again.
type CreateArt struct {
	arts      ArtStore
	images    ImageStore
	inspector ImageInspector
	fanOuts   NewWorkFanOuts
	tx        Transactor
	clock     Clock
}

// NewCreateArt builds the use case.
func NewCreateArt(arts ArtStore, images ImageStore, inspector ImageInspector, fanOuts NewWorkFanOuts, tx Transactor,
	clock Clock) *CreateArt {
	return &CreateArt{arts: arts, images: images, inspector: inspector, fanOuts: fanOuts, tx: tx, clock: clock}
}

// Execute returns the new art's page as its owner sees it.
func (uc *CreateArt) Execute(ctx context.Context, cmd CreateArtCommand) (ArtDetail, error) {
	now := uc.clock.Now()
	draft, terms, err := uc.validate(cmd, now)
	if err != nil {
		return ArtDetail{}, err
	}
	inspected, err := uc.inspector.Inspect(cmd.Image)
	if err != nil {
		return ArtDetail{}, fmt.Errorf("inspect image: %w", err)
	}
	size := int64(len(cmd.Image))
	if err := art.CheckImage(inspected.Format, inspected.Width, inspected.Height, size); err != nil {
		return ArtDetail{}, err
	}
	key, err := uc.images.Save(ctx, cmd.Image, inspected.Format)
	if err != nil {
		return ArtDetail{}, fmt.Errorf("store image: %w", err)
	}
	sum := sha256.Sum256(cmd.Image)
	image, err := art.NewImage(key, inspected.Format, inspected.Width, inspected.Height, size, hex.EncodeToString(sum[:16]))
	if err != nil {
		return ArtDetail{}, errors.Join(err, uc.images.Delete(ctx, key))
	}
	a := art.New(cmd.OwnerID, draft, image, now)
	var au *auction.Auction
	if draft.Type() == art.TypeAuction {
		au = auction.New(terms)
	}
	var id int64
	err = uc.tx.WithinTx(ctx, func(ctx context.Context) error {
		if id, err = uc.arts.Create(ctx, a, au); err != nil {
			return err
		}
		// The followers are told after the listing, by FanOutNewWork: an artist
		// with many of them does not hold it up.
		if err := uc.fanOuts.Enqueue(ctx, id, cmd.OwnerID, now); err != nil {
			return fmt.Errorf("enqueue the new work's fan-out: %w", err)
		}
		return nil
	})
	if err != nil {
		if cleanupErr := uc.images.Delete(ctx, key); cleanupErr != nil {
			err = errors.Join(err, fmt.Errorf("remove image of unsaved art: %w", cleanupErr))
		}
		return ArtDetail{}, fmt.Errorf("create art: %w", err)
	}
	return uc.arts.Detail(ctx, id, cmd.OwnerID)
}

// validate checks every field at once, the image's presence and size included.
func (uc *CreateArt) validate(cmd CreateArtCommand, now time.Time) (art.Draft, auction.Terms, error) {
	var c validation.Collector
	draft, err := art.NewDraft(cmd.Name, cmd.Description, cmd.Type, cmd.Price, cmd.Hashtags)
	c.Merge(err)
	var terms auction.Terms
	if cmd.Type == string(art.TypeAuction) {
		terms, err = auction.NewTerms(auction.TermsInput{
			StartAt: cmd.StartAt, EndAt: cmd.EndAt, StartPrice: cmd.Price,
			BuyNowPrice: cmd.BuyNowPrice, BidIncrement: cmd.BidIncrement, ReservePrice: cmd.ReservePrice,
		}, now)
		c.Merge(err)
	} else {
		for _, f := range []struct {
			name  string
			given bool
		}{
			{"start_at", cmd.StartAt != nil}, {"end_at", cmd.EndAt != nil}, {"buy_now_price", cmd.BuyNowPrice != nil},
			{"bid_increment", cmd.BidIncrement != nil}, {"reserve_price", cmd.ReservePrice != nil},
		} {
			c.Check(!f.given, f.name, "is only for auction arts")
		}
	}
	c.Check(len(cmd.Image) > 0, "image", "is required")
	if err := c.Err(); err != nil {
		return art.Draft{}, auction.Terms{}, err
	}
	if len(cmd.Image) > art.MaxImageBytes {
		return art.Draft{}, auction.Terms{}, fmt.Errorf("%w: at most 10 MiB", art.ErrImageTooLarge)
	}
	return draft, terms, nil
}
