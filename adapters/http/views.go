package httpapi

import (
	"time"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/point"
)

type pointsView struct {
	Total     int64 `json:"total"`
	Available int64 `json:"available"`
}

// memberView is a member as they see themselves.
type memberView struct {
	ID        int64      `json:"id"`
	Email     string     `json:"email"`
	Nickname  string     `json:"nickname"`
	Name      string     `json:"name"`
	School    *string    `json:"school"`
	Phone     *string    `json:"phone"`
	Points    pointsView `json:"points"`
	CreatedAt time.Time  `json:"created_at"`
}

type tokensView struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
}

type ledgerEntryView struct {
	Type      string    `json:"type"`
	Amount    int64     `json:"amount"`
	ArtID     *int64    `json:"art_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// pageView is one page of a list. A numbered page carries the list's total
// (capped past application.TotalCap); a cursor page leaves it out. Either
// carries the cursor of the next page, null on the last.
type pageView[T any] struct {
	Items            []T     `json:"items"`
	Page             int     `json:"page"`
	Size             int     `json:"size"`
	TotalItems       *int    `json:"total_items,omitempty"`
	TotalPages       *int    `json:"total_pages,omitempty"`
	TotalItemsCapped *bool   `json:"total_items_capped,omitempty"`
	NextCursor       *string `json:"next_cursor"`
}

// numberedPageView is a page of a list that takes no cursor.
type numberedPageView[T any] struct {
	Items      []T `json:"items"`
	Page       int `json:"page"`
	Size       int `json:"size"`
	TotalItems int `json:"total_items"`
	TotalPages int `json:"total_pages"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toPointsView(b point.Balance) pointsView {
	return pointsView{Total: b.Total(), Available: b.Available()}
}

func toMemberView(m *member.Member) memberView {
	return memberView{
		ID: m.ID(), Email: m.Email().String(), Nickname: m.Nickname().String(), Name: m.Name(),
		School: optional(m.School()), Phone: optional(m.Phone()), Points: toPointsView(m.Balance()),
		CreatedAt: m.CreatedAt().UTC(),
	}
}

func toTokensView(p application.TokenPair) tokensView {
	return tokensView{AccessToken: p.AccessToken, RefreshToken: p.RefreshToken, TokenType: "Bearer", ExpiresIn: int64(p.ExpiresIn.Seconds())}
}

func toLedgerEntryView(e point.LedgerEntry) ledgerEntryView {
	v := ledgerEntryView{Type: string(e.Type()), Amount: e.Amount(), CreatedAt: e.CreatedAt().UTC()}
	if id := e.ArtID(); id != 0 {
		v.ArtID = &id
	}
	return v
}

func toPageView[T, V any](p application.Page[T], convert func(T) V) pageView[V] {
	v := pageView[V]{Items: convertAll(p.Items, convert), Page: p.Request.Number(), Size: p.Request.Size()}
	if p.HasTotal() {
		total, pages, capped := p.TotalItems, p.TotalPages(), p.TotalCapped
		v.TotalItems, v.TotalPages, v.TotalItemsCapped = &total, &pages, &capped
	}
	if p.NextCursor != "" {
		next := p.NextCursor
		v.NextCursor = &next
	}
	return v
}

func toNumberedPageView[T, V any](p application.Page[T], convert func(T) V) numberedPageView[V] {
	return numberedPageView[V]{Items: convertAll(p.Items, convert), Page: p.Request.Number(), Size: p.Request.Size(),
		TotalItems: p.TotalItems, TotalPages: p.TotalPages()}
}

func convertAll[T, V any](items []T, convert func(T) V) []V {
	out := make([]V, 0, len(items))
	for _, item := range items {
		out = append(out, convert(item))
	}
	return out
}
