package main

import "math/rand/v2"

// Pages are drawn with their own Zipf law, steeper than popularity: most
// visitors stay on page 1 (P ≈ 0.61 with s = 2), few go past page 5 (≈ 0.11).
const (
	pageZipfS = 2.0
	pageZipfV = 1.0
	// maxBrowsedPage is the deepest page a browsing visitor reaches.
	maxBrowsedPage = 50
)

// zipfLaw is P(rank k) ∝ (V+k)^-S over ranks 0, 1, ...: rank 0 is the most
// popular item.
type zipfLaw struct {
	S float64 `json:"s"`
	V float64 `json:"v"`
}

// rankDrawer draws ranks 0..n-1 under law with rng. math/rand/v2's Zipf
// needs S > 1 and V >= 1; parseReadConfig checks both.
func rankDrawer(rng *rand.Rand, law zipfLaw, n int) func() int {
	if n <= 1 {
		return func() int { return 0 }
	}
	z := rand.NewZipf(rng, law.S, law.V, uint64(n-1))
	return func() int { return int(z.Uint64()) }
}

// pick draws one of items, ranked most popular first.
func pick[T any](items []T, draw func() int) T { return items[draw()] }

// pageDrawer draws browsed pages 1..maxBrowsedPage.
func pageDrawer(rng *rand.Rand) func() int {
	rank := rankDrawer(rng, zipfLaw{S: pageZipfS, V: pageZipfV}, maxBrowsedPage)
	return func() int { return 1 + rank() }
}
