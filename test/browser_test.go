package test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// chromiumPath is where `make browser` (scripts/ensure-chromium.sh) installs Chromium.
const chromiumPath = "/usr/bin/chromium"

// TestLivePageInABrowser opens the live page in headless Chromium on one
// instance, bids over HTTP through another, and waits for the page to show
// the new highest bid. The PNG screenshot is kept under the test's artifact
// directory (go test -artifacts keeps it after the run).
func TestLivePageInABrowser(t *testing.T) {
	t.Parallel()
	browser := os.Getenv("CHROMIUM")
	if browser == "" {
		browser = chromiumPath
	}
	if _, err := os.Stat(browser); err != nil {
		// make test installs it; a missing browser is never a silent pass in CI.
		if os.Getenv("CI") != "" {
			t.Fatalf("Chromium is missing at %s: run `make browser`", browser)
		}
		t.Skipf("Chromium is missing at %s: run `make browser` (fails when CI is set)", browser)
	}
	a := startApp(t)
	b := startAppBeside(t, a)
	seller, _ := a.member("page-seller@example.com", "pageseller", 0)
	bidder, _ := a.member("page-bidder@example.com", "pagebidder", 100_000)
	auctionID := seller.listAuction("Night harbour", 1000, time.Now().Add(time.Hour), nil).Auction.ID

	allocator, cancelAllocator := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		// Without these, Chromium keeps reaching for the network, which a
		// closed test machine answers badly.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1100, 800),
	)
	defer cancelAllocator()
	ctx, cancelBrowser := chromedp.NewContext(allocator)
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(a.base+"/auctions/"+itoa(auctionID)+"/live"),
		chromedp.WaitVisible("#highest-amount"),
		waitText("#art-name", "Night harbour"),
		waitText("#connection", "live"),
	))

	res := bidder.as(b).bid(auctionID, 1500)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)

	require.NoError(t, chromedp.Do(ctx,
		waitText("#highest-amount", "1,500"),
		waitText("#bid-list", "pagebidder"),
	))
	screenshot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	path := filepath.Join(t.ArtifactDir(), "live-auction.png")
	require.NoError(t, os.WriteFile(path, screenshot, 0o600))
	t.Logf("screenshot of the live page: %s", path)
}

// waitText waits until the element's text contains want.
func waitText(selector, want string) chromedp.Action[chromedp.Void] {
	poll := chromedp.Poll[bool](fmt.Sprintf("(document.querySelector(%q)?.textContent ?? '').includes(%q)", selector, want),
		chromedp.WithPollingInterval(50*time.Millisecond))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := poll(ctx, t)
		return chromedp.Void{}, err
	}
}
