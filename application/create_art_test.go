package application_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/auction"
)

type createArtMocks struct {
	arts      *mock.MockArtStore
	images    *mock.MockImageStore
	inspector *mock.MockImageInspector
	fanOuts   *mock.MockNewWorkFanOuts
	tx        *mock.MockTransactor
	uc        *application.CreateArt
}

// newCreateArt wires CreateArt to mocks that expect nothing but the clock.
func newCreateArt(t *testing.T) createArtMocks {
	t.Helper()
	ctrl := gomock.NewController(t)
	m := createArtMocks{
		arts:      mock.NewMockArtStore(ctrl),
		images:    mock.NewMockImageStore(ctrl),
		inspector: mock.NewMockImageInspector(ctrl),
		fanOuts:   mock.NewMockNewWorkFanOuts(ctrl),
		tx:        mock.NewMockTransactor(ctrl),
	}
	m.uc = application.NewCreateArt(m.arts, m.images, m.inspector, m.fanOuts, m.tx, newFixedClock(ctrl))
	return m
}

// expectFanOut expects the listing's fan-out to the artist's followers,
// enqueued in the listing's transaction.
func (m createArtMocks) expectFanOut(artID int64) *gomock.Call {
	return m.fanOuts.EXPECT().Enqueue(inTx(), artID, int64(7), fixedTestNow).Return(nil)
}

var testImageBytes = []byte("\xff\xd8\xff\xe0 pretend this is a JPEG")

func generalArtCommand() application.CreateArtCommand {
	return application.CreateArtCommand{
		OwnerID: 7, Name: "  Sunset ", Description: "Oil on canvas", Type: "general", Price: 5000,
		Hashtags: []string{"#Sunset", "oil", "SUNSET"}, Image: testImageBytes,
	}
}

func auctionArtCommand() application.CreateArtCommand {
	cmd := generalArtCommand()
	cmd.Type = "auction"
	cmd.EndAt = given(fixedTestNow.Add(72 * time.Hour))
	cmd.BuyNowPrice = given[int64](20_000)
	return cmd
}

// given is an optional field as a client sends it.
func given[T any](v T) *T { return &v }

func TestCreateArtValidation(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(*application.CreateArtCommand)
		wantFields []string
	}{
		{name: "no image", edit: func(c *application.CreateArtCommand) { c.Image = nil }, wantFields: []string{"image"}},
		{name: "an empty image", edit: func(c *application.CreateArtCommand) { c.Image = []byte{} }, wantFields: []string{"image"}},
		{name: "no name", edit: func(c *application.CreateArtCommand) { c.Name = " " }, wantFields: []string{"name"}},
		{name: "price 999", edit: func(c *application.CreateArtCommand) { c.Price = 999 }, wantFields: []string{"price"}},
		{name: "an unknown type", edit: func(c *application.CreateArtCommand) { c.Type = "lottery" }, wantFields: []string{"type"}},
		{name: "no hashtags", edit: func(c *application.CreateArtCommand) { c.Hashtags = nil }, wantFields: []string{"hashtags"}},
		{
			name: "auction-only fields on a general art",
			edit: func(c *application.CreateArtCommand) {
				c.StartAt, c.EndAt = given(fixedTestNow.Add(time.Hour)), given(fixedTestNow.Add(2*time.Hour))
				c.BuyNowPrice, c.BidIncrement, c.ReservePrice = given[int64](9000), given[int64](100), given[int64](6000)
			},
			wantFields: []string{"start_at", "end_at", "buy_now_price", "bid_increment", "reserve_price"},
		},
		{name: "an end on a general art", edit: func(c *application.CreateArtCommand) { c.EndAt = given(fixedTestNow.Add(time.Hour)) }, wantFields: []string{"end_at"}},
		{
			name:       "a zero increment on a general art: given is given",
			edit:       func(c *application.CreateArtCommand) { c.BidIncrement = given[int64](0) },
			wantFields: []string{"bid_increment"},
		},
		{
			name:       "a reserve on a general art",
			edit:       func(c *application.CreateArtCommand) { c.ReservePrice = given[int64](5000) },
			wantFields: []string{"reserve_price"},
		},
		{
			name: "an auction without an end",
			edit: func(c *application.CreateArtCommand) {
				c.Type = "auction"
			},
			wantFields: []string{"end_at"},
		},
		{
			name: "an auction ending in the past",
			edit: func(c *application.CreateArtCommand) {
				c.Type, c.StartAt, c.EndAt = "auction", given(fixedTestNow.Add(-time.Minute)), given(fixedTestNow.Add(-time.Second))
			},
			wantFields: []string{"end_at"},
		},
		{
			name: "an auction starting more than a minute ago",
			edit: func(c *application.CreateArtCommand) {
				c.Type, c.StartAt, c.EndAt = "auction", given(fixedTestNow.Add(-61*time.Second)), given(fixedTestNow.Add(time.Hour))
			},
			wantFields: []string{"start_at"},
		},
		{
			name: "an auction whose buy-now price is not above its price",
			edit: func(c *application.CreateArtCommand) {
				c.Type, c.EndAt, c.BuyNowPrice = "auction", given(fixedTestNow.Add(time.Hour)), given(c.Price)
			},
			wantFields: []string{"buy_now_price"},
		},
		{
			name: "an auction with a negative increment",
			edit: func(c *application.CreateArtCommand) {
				c.Type, c.EndAt, c.BidIncrement = "auction", given(fixedTestNow.Add(time.Hour)), given[int64](-1)
			},
			wantFields: []string{"bid_increment"},
		},
		{
			name: "an auction with an increment of 0, which is not taken as the default",
			edit: func(c *application.CreateArtCommand) {
				c.Type, c.EndAt, c.BidIncrement = "auction", given(fixedTestNow.Add(time.Hour)), given[int64](0)
			},
			wantFields: []string{"bid_increment"},
		},
		{
			name: "an auction whose reserve is below its price",
			edit: func(c *application.CreateArtCommand) {
				c.Type, c.EndAt, c.ReservePrice = "auction", given(fixedTestNow.Add(time.Hour)), given(c.Price-1)
			},
			wantFields: []string{"reserve_price"},
		},
		{
			name: "an auction whose reserve reaches its buy-now price",
			edit: func(c *application.CreateArtCommand) {
				c.Type, c.EndAt = "auction", given(fixedTestNow.Add(time.Hour))
				c.BuyNowPrice, c.ReservePrice = given[int64](9000), given[int64](9000)
			},
			wantFields: []string{"reserve_price"},
		},
		{
			name: "every bad field of a general art at once",
			edit: func(c *application.CreateArtCommand) {
				c.Name, c.Description, c.Price, c.Hashtags, c.Image = "", "", 1, nil, nil
				c.BidIncrement = given[int64](5)
			},
			wantFields: []string{"name", "description", "price", "hashtags", "bid_increment", "image"},
		},
		{
			name: "every bad field of an auction art at once",
			edit: func(c *application.CreateArtCommand) {
				c.Type, c.Name, c.Price, c.Image = "auction", "", 999, nil
				c.StartAt, c.BuyNowPrice, c.BidIncrement = given(fixedTestNow.Add(-time.Hour)), given[int64](500), given[int64](-1)
			},
			wantFields: []string{"name", "price", "start_at", "end_at", "buy_now_price", "bid_increment", "image"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newCreateArt(t)
			cmd := generalArtCommand()
			tt.edit(&cmd)

			d, err := m.uc.Execute(context.Background(), cmd)

			assert.ElementsMatch(t, tt.wantFields, validationFieldNames(t, err))
			assert.Equal(t, application.ArtDetail{}, d)
		})
	}
}

func TestCreateArtRefusesAnImageOver10MiBBeforeLookingAtIt(t *testing.T) {
	m := newCreateArt(t)
	cmd := generalArtCommand()
	cmd.Image = make([]byte, art.MaxImageBytes+1)

	_, err := m.uc.Execute(context.Background(), cmd)

	require.ErrorIs(t, err, art.ErrImageTooLarge)
	assert.NotErrorIs(t, err, art.ErrUnsupportedImage)
}

func TestCreateArtAcceptsAnImageOfExactly10MiB(t *testing.T) {
	m := newCreateArt(t)
	cmd := generalArtCommand()
	cmd.Image = make([]byte, art.MaxImageBytes)
	m.inspector.EXPECT().Inspect(cmd.Image).Return(application.InspectedImage{Format: art.FormatPNG, Width: 4000, Height: 3000}, nil)
	m.images.EXPECT().Save(gomock.Any(), cmd.Image, art.FormatPNG).Return("arts/new.png", nil)
	expectOneTx(m.tx)
	m.arts.EXPECT().Create(inTx(), gomock.Any(), nil).Return(int64(43), nil)
	m.expectFanOut(43)
	m.arts.EXPECT().Detail(gomock.Any(), int64(43), int64(7)).Return(storedArtDetail(), nil)

	_, err := m.uc.Execute(context.Background(), cmd)

	require.NoError(t, err)
}

func TestCreateArtPassesInspectorErrorsOnWithoutStoring(t *testing.T) {
	errCorrupt := errors.New("corrupt header")
	for _, inspectErr := range []error{art.ErrUnsupportedImage, errCorrupt} {
		t.Run(inspectErr.Error(), func(t *testing.T) {
			m := newCreateArt(t)
			m.inspector.EXPECT().Inspect(testImageBytes).Return(application.InspectedImage{}, inspectErr)

			_, err := m.uc.Execute(context.Background(), generalArtCommand())

			assert.ErrorIs(t, err, inspectErr)
		})
	}
}

func TestCreateArtRefusesAnInspectedImageOverTheLimitsWithoutStoring(t *testing.T) {
	tests := []struct {
		name      string
		inspected application.InspectedImage
		wantErr   error
	}{
		{name: "over 40 megapixels", inspected: application.InspectedImage{Format: art.FormatJPEG, Width: 8000, Height: 5001}, wantErr: art.ErrImageTooLarge},
		{name: "a side over 16384", inspected: application.InspectedImage{Format: art.FormatPNG, Width: 1, Height: 50_000}, wantErr: art.ErrImageTooLarge},
		{name: "no pixels", inspected: application.InspectedImage{Format: art.FormatWebP}, wantErr: art.ErrUnsupportedImage},
		{name: "a format not accepted", inspected: application.InspectedImage{Format: "gif", Width: 10, Height: 10}, wantErr: art.ErrUnsupportedImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newCreateArt(t)
			m.inspector.EXPECT().Inspect(testImageBytes).Return(tt.inspected, nil)

			_, err := m.uc.Execute(context.Background(), generalArtCommand())

			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestCreateArtWhenTheImageCannotBeStored(t *testing.T) {
	m := newCreateArt(t)
	errDisk := errors.New("disk full")
	m.inspector.EXPECT().Inspect(testImageBytes).Return(application.InspectedImage{Format: art.FormatJPEG, Width: 800, Height: 600}, nil)
	m.images.EXPECT().Save(gomock.Any(), testImageBytes, art.FormatJPEG).Return("", errDisk)

	_, err := m.uc.Execute(context.Background(), generalArtCommand())

	assert.ErrorIs(t, err, errDisk)
}

func TestCreateArtListsAGeneralArt(t *testing.T) {
	m := newCreateArt(t)
	var created *art.Art
	want := storedArtDetail()
	gomock.InOrder(
		m.inspector.EXPECT().Inspect(testImageBytes).Return(application.InspectedImage{Format: art.FormatJPEG, Width: 800, Height: 600}, nil),
		m.images.EXPECT().Save(outsideTx(), testImageBytes, art.FormatJPEG).Return("arts/new.jpg", nil),
		m.tx.EXPECT().WithinTx(gomock.Any(), gomock.Any()).DoAndReturn(
			func(ctx context.Context, fn func(context.Context) error) error {
				return fn(context.WithValue(ctx, txMarker{}, true))
			}),
		m.arts.EXPECT().Create(inTx(), gomock.Any(), gomock.Nil()).DoAndReturn(
			func(_ context.Context, a *art.Art, _ *auction.Auction) (int64, error) {
				created = a
				return 43, nil
			}),
		m.expectFanOut(43),
		m.arts.EXPECT().Detail(outsideTx(), int64(43), int64(7)).Return(want, nil),
	)

	d, err := m.uc.Execute(context.Background(), generalArtCommand())

	require.NoError(t, err)
	assert.Equal(t, want, d)
	require.NotNil(t, created)
	assert.Equal(t, int64(7), created.OwnerID())
	assert.Equal(t, "Sunset", created.Name())
	assert.Equal(t, "Oil on canvas", created.Description())
	assert.Equal(t, art.TypeGeneral, created.Type())
	assert.Equal(t, int64(5000), created.Price())
	assert.Equal(t, int64(5000), created.CurrentPrice())
	assert.Equal(t, []string{"sunset", "oil"}, created.Hashtags().List())
	assert.Equal(t, art.StatusOnSale, created.Status())
	assert.Equal(t, fixedTestNow, created.CreatedAt())
	sum := sha256.Sum256(testImageBytes)
	assert.Equal(t,
		art.RestoreImage("arts/new.jpg", art.FormatJPEG, 800, 600, int64(len(testImageBytes)), hex.EncodeToString(sum[:16])),
		created.Image())
	assert.NotEmpty(t, created.Image().ETag())
}

func TestCreateArtETagDependsOnTheBytes(t *testing.T) {
	etagOf := func(data []byte) string {
		m := newCreateArt(t)
		cmd := generalArtCommand()
		cmd.Image = data
		var etag string
		m.inspector.EXPECT().Inspect(data).Return(application.InspectedImage{Format: art.FormatJPEG, Width: 800, Height: 600}, nil)
		m.images.EXPECT().Save(gomock.Any(), data, art.FormatJPEG).Return("arts/new.jpg", nil)
		expectOneTx(m.tx)
		m.arts.EXPECT().Create(inTx(), gomock.Any(), nil).DoAndReturn(
			func(_ context.Context, a *art.Art, _ *auction.Auction) (int64, error) {
				etag = a.Image().ETag()
				return 43, nil
			})
		m.expectFanOut(43)
		m.arts.EXPECT().Detail(gomock.Any(), int64(43), int64(7)).Return(storedArtDetail(), nil)
		_, err := m.uc.Execute(context.Background(), cmd)
		require.NoError(t, err)
		return etag
	}

	first, again, other := etagOf([]byte("image one")), etagOf([]byte("image one")), etagOf([]byte("image two"))

	assert.NotEmpty(t, first)
	assert.Equal(t, first, again)
	assert.NotEqual(t, first, other)
}

func TestCreateArtListsAnAuctionArtWithItsAuction(t *testing.T) {
	tests := []struct {
		name             string
		edit             func(*application.CreateArtCommand)
		wantStartAt      time.Time
		wantBidIncrement int64
		wantReservePrice int64
		wantStatus       auction.Status
	}{
		{
			name:        "starting now with the default increment",
			edit:        func(*application.CreateArtCommand) {},
			wantStartAt: fixedTestNow, wantBidIncrement: 1, wantStatus: auction.StatusOpen,
		},
		{
			name: "starting later with an increment",
			edit: func(c *application.CreateArtCommand) {
				c.StartAt, c.BidIncrement = given(fixedTestNow.Add(time.Hour)), given[int64](250)
			},
			wantStartAt: fixedTestNow.Add(time.Hour), wantBidIncrement: 250, wantStatus: auction.StatusScheduled,
		},
		{
			name: "starting half a minute ago, with a reserve",
			edit: func(c *application.CreateArtCommand) {
				c.StartAt, c.ReservePrice = given(fixedTestNow.Add(-30*time.Second)), given[int64](12_000)
			},
			wantStartAt: fixedTestNow.Add(-30 * time.Second), wantBidIncrement: 1, wantReservePrice: 12_000,
			wantStatus: auction.StatusOpen,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newCreateArt(t)
			cmd := auctionArtCommand()
			tt.edit(&cmd)
			var created *art.Art
			var au *auction.Auction
			m.inspector.EXPECT().Inspect(testImageBytes).Return(application.InspectedImage{Format: art.FormatWebP, Width: 1200, Height: 900}, nil)
			m.images.EXPECT().Save(outsideTx(), testImageBytes, art.FormatWebP).Return("arts/new.webp", nil)
			expectOneTx(m.tx)
			m.arts.EXPECT().Create(inTx(), gomock.Any(), gomock.Not(gomock.Nil())).DoAndReturn(
				func(_ context.Context, a *art.Art, x *auction.Auction) (int64, error) {
					created, au = a, x
					return 44, nil
				})
			m.expectFanOut(44)
			m.arts.EXPECT().Detail(outsideTx(), int64(44), int64(7)).Return(storedArtDetail(), nil)

			_, err := m.uc.Execute(context.Background(), cmd)

			require.NoError(t, err)
			require.NotNil(t, created)
			require.NotNil(t, au)
			assert.Equal(t, art.TypeAuction, created.Type())
			assert.Equal(t, art.FormatWebP, created.Image().Format())
			terms := au.Terms()
			assert.Equal(t, tt.wantStartAt, terms.StartAt())
			assert.Equal(t, *cmd.EndAt, terms.EndAt())
			assert.Equal(t, cmd.Price, terms.StartPrice(), "the art's price is the starting price")
			assert.Equal(t, int64(20_000), terms.BuyNowPrice())
			assert.Equal(t, tt.wantBidIncrement, terms.BidIncrement())
			assert.Equal(t, tt.wantReservePrice, terms.ReservePrice())
			assert.False(t, au.HasBids())
			assert.Equal(t, tt.wantStatus, au.StatusAt(fixedTestNow))
			assert.Equal(t, cmd.Price, au.MinNextBid())
		})
	}
}

func TestCreateArtRemovesTheImageWhenTheArtCannotBeWritten(t *testing.T) {
	errDB := errors.New("connection reset")
	m := newCreateArt(t)
	gomock.InOrder(
		m.inspector.EXPECT().Inspect(testImageBytes).Return(application.InspectedImage{Format: art.FormatJPEG, Width: 800, Height: 600}, nil),
		m.images.EXPECT().Save(gomock.Any(), testImageBytes, art.FormatJPEG).Return("arts/new.jpg", nil),
		m.tx.EXPECT().WithinTx(gomock.Any(), gomock.Any()).DoAndReturn(
			func(ctx context.Context, fn func(context.Context) error) error {
				return fn(context.WithValue(ctx, txMarker{}, true))
			}),
		m.arts.EXPECT().Create(inTx(), gomock.Any(), nil).Return(int64(0), errDB),
		m.images.EXPECT().Delete(outsideTx(), "arts/new.jpg").Return(nil),
	)

	d, err := m.uc.Execute(context.Background(), generalArtCommand())

	require.ErrorIs(t, err, errDB)
	assert.Equal(t, application.ArtDetail{}, d)
}

func TestCreateArtWhenTheTransactionItselfFails(t *testing.T) {
	errCommit := errors.New("commit failed")
	m := newCreateArt(t)
	m.inspector.EXPECT().Inspect(testImageBytes).Return(application.InspectedImage{Format: art.FormatJPEG, Width: 800, Height: 600}, nil)
	m.images.EXPECT().Save(gomock.Any(), testImageBytes, art.FormatJPEG).Return("arts/new.jpg", nil)
	m.tx.EXPECT().WithinTx(gomock.Any(), gomock.Any()).DoAndReturn(
		func(ctx context.Context, fn func(context.Context) error) error {
			if err := fn(context.WithValue(ctx, txMarker{}, true)); err != nil {
				return err
			}
			return errCommit
		})
	m.arts.EXPECT().Create(inTx(), gomock.Any(), nil).Return(int64(43), nil)
	m.expectFanOut(43)
	m.images.EXPECT().Delete(gomock.Any(), "arts/new.jpg").Return(nil)

	_, err := m.uc.Execute(context.Background(), generalArtCommand())

	assert.ErrorIs(t, err, errCommit)
}

func TestCreateArtReportsBothErrorsWhenTheCleanupFailsToo(t *testing.T) {
	errDB := errors.New("connection reset")
	errRemove := errors.New("permission denied")
	m := newCreateArt(t)
	m.inspector.EXPECT().Inspect(testImageBytes).Return(application.InspectedImage{Format: art.FormatJPEG, Width: 800, Height: 600}, nil)
	m.images.EXPECT().Save(gomock.Any(), testImageBytes, art.FormatJPEG).Return("arts/new.jpg", nil)
	expectOneTx(m.tx)
	m.arts.EXPECT().Create(inTx(), gomock.Any(), nil).Return(int64(0), errDB)
	m.images.EXPECT().Delete(gomock.Any(), "arts/new.jpg").Return(errRemove)

	_, err := m.uc.Execute(context.Background(), generalArtCommand())

	assert.ErrorIs(t, err, errDB)
	assert.ErrorIs(t, err, errRemove)
}

func TestCreateArtKeepsTheImageWhenOnlyReadingThePageBackFails(t *testing.T) {
	errRead := errors.New("replica lag")
	m := newCreateArt(t)
	m.inspector.EXPECT().Inspect(testImageBytes).Return(application.InspectedImage{Format: art.FormatJPEG, Width: 800, Height: 600}, nil)
	m.images.EXPECT().Save(gomock.Any(), testImageBytes, art.FormatJPEG).Return("arts/new.jpg", nil)
	expectOneTx(m.tx)
	m.arts.EXPECT().Create(inTx(), gomock.Any(), nil).Return(int64(43), nil)
	m.expectFanOut(43)
	m.arts.EXPECT().Detail(gomock.Any(), int64(43), int64(7)).Return(application.ArtDetail{}, errRead)

	_, err := m.uc.Execute(context.Background(), generalArtCommand())

	assert.ErrorIs(t, err, errRead)
}

func TestCreateArtRollsTheListingBackWhenItsFanOutCannotBeEnqueued(t *testing.T) {
	errDB := errors.New("connection reset")
	m := newCreateArt(t)
	m.inspector.EXPECT().Inspect(testImageBytes).Return(application.InspectedImage{Format: art.FormatJPEG, Width: 800, Height: 600}, nil)
	m.images.EXPECT().Save(gomock.Any(), testImageBytes, art.FormatJPEG).Return("arts/new.jpg", nil)
	expectOneTx(m.tx)
	m.arts.EXPECT().Create(inTx(), gomock.Any(), nil).Return(int64(43), nil)
	m.fanOuts.EXPECT().Enqueue(inTx(), int64(43), int64(7), fixedTestNow).Return(errDB)
	m.images.EXPECT().Delete(outsideTx(), "arts/new.jpg").Return(nil)

	_, err := m.uc.Execute(context.Background(), generalArtCommand())

	require.ErrorIs(t, err, errDB, "a listing whose followers would never hear of it is not made")
}
