package application_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/purchase"
)

func TestListMyPurchasesReturnsOnePageWithTheTotal(t *testing.T) {
	purchases := mock.NewMockPurchaseStore(gomock.NewController(t))
	request := mustPage(t, 3, 20)
	items := []application.PurchaseView{
		purchaseView(92, mustPurchase(t, 43, bobID, aliceID, 7000, purchase.KindBuyNow)),
		purchaseView(91, mustPurchase(t, 42, bobID, aliceID, 5000, purchase.KindGeneral)),
	}
	purchases.EXPECT().ByBuyer(gomock.Any(), bobID, request).Return(application.StoredPage[application.PurchaseView]{Items: items, Total: application.Total{Count: 42}}, nil)

	page, err := application.NewListMyPurchases(purchases).Execute(context.Background(), bobID, request)

	require.NoError(t, err)
	assert.Equal(t, items, page.Items)
	assert.Equal(t, request, page.Request)
	assert.Equal(t, 42, page.TotalItems)
	assert.Equal(t, 3, page.TotalPages())
}

func TestListMyPurchasesEmpty(t *testing.T) {
	purchases := mock.NewMockPurchaseStore(gomock.NewController(t))
	request := mustPage(t, 1, 20)
	purchases.EXPECT().ByBuyer(gomock.Any(), aliceID, request).Return(application.StoredPage[application.PurchaseView]{}, nil)

	page, err := application.NewListMyPurchases(purchases).Execute(context.Background(), aliceID, request)

	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Zero(t, page.TotalPages())
}

func TestListMyPurchasesFailure(t *testing.T) {
	purchases := mock.NewMockPurchaseStore(gomock.NewController(t))
	boom := errors.New("boom")
	purchases.EXPECT().ByBuyer(gomock.Any(), gomock.Any(), gomock.Any()).Return(application.StoredPage[application.PurchaseView]{}, boom)

	_, err := application.NewListMyPurchases(purchases).Execute(context.Background(), bobID, mustPage(t, 1, 20))

	require.ErrorIs(t, err, boom)
}
