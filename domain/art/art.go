// Package art holds artworks: what they are, who owns them, and who may change them.
package art

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/validation"
)

// Errors of the art aggregate.
var (
	ErrNotFound       = errors.New("art not found")
	ErrNotOwner       = errors.New("only the owner may do this")
	ErrSold           = errors.New("the art is sold")
	ErrAuctionHasBids = errors.New("the art's auction has bids")
)

// Price limits: docs/rules.md's minimum, and the ceiling of any amount of points.
const (
	MinPrice = 1000
	MaxPrice = point.MaxPrice
)

// Type says how an art is sold; it never changes.
type Type string

// The two ways to sell.
const (
	TypeAuction Type = "auction"
	TypeGeneral Type = "general"
)

// ParseType reads a type given by a client or storage.
func ParseType(s string) (Type, bool) {
	switch t := Type(s); t {
	case TypeAuction, TypeGeneral:
		return t, true
	}
	return "", false
}

// Status is whether an art can still be bought.
type Status string

// The statuses of docs/rules.md.
const (
	StatusOnSale Status = "on_sale"
	StatusSold   Status = "sold"
	StatusUnsold Status = "unsold"
)

// ParseStatus reads a stored status.
func ParseStatus(s string) (Status, bool) {
	switch st := Status(s); st {
	case StatusOnSale, StatusSold, StatusUnsold:
		return st, true
	}
	return "", false
}

// Draft is a validated listing before its image is stored.
type Draft struct {
	name        string
	description string
	artType     Type
	price       int64
	hashtags    Hashtags
}

// NewDraft validates every field of a new listing and reports all bad fields at once.
func NewDraft(name, description, artType string, price int64, hashtags []string) (Draft, error) {
	var c validation.Collector
	name, description = strings.TrimSpace(name), strings.TrimSpace(description)
	c.Merge(checkName(name))
	c.Merge(checkDescription(description))
	t, ok := ParseType(artType)
	c.Check(ok, "type", "must be auction or general")
	c.Check(price >= MinPrice && price <= MaxPrice, "price", fmt.Sprintf("must be between %d and %d points", MinPrice, MaxPrice))
	tags, err := NewHashtags(hashtags)
	c.Merge(err)
	if err := c.Err(); err != nil {
		return Draft{}, err
	}
	return Draft{name: name, description: description, artType: t, price: price, hashtags: tags}, nil
}

func (d Draft) Type() Type   { return d.artType }
func (d Draft) Price() int64 { return d.price }

func checkName(name string) error {
	if n := utf8.RuneCountInString(name); n < 1 || n > 100 {
		return validation.Field("name", "must be 1 to 100 characters")
	}
	return nil
}

func checkDescription(description string) error {
	if n := utf8.RuneCountInString(description); n < 1 || n > 2000 {
		return validation.Field("description", "must be 1 to 2000 characters")
	}
	return nil
}

// Art is a work listed by its owner.
type Art struct {
	id           int64
	ownerID      int64
	name         string
	description  string
	artType      Type
	price        int64
	currentPrice int64
	hashtags     Hashtags
	image        Image
	status       Status
	likeCount    int64
	bidCount     int64
	createdAt    time.Time
}

// New lists a draft with its stored image.
func New(ownerID int64, d Draft, image Image, now time.Time) *Art {
	return &Art{
		ownerID: ownerID, name: d.name, description: d.description, artType: d.artType, price: d.price,
		currentPrice: d.price, hashtags: d.hashtags, image: image, status: StatusOnSale, createdAt: now.UTC(),
	}
}

// Record is an art as stored, for Restore.
type Record struct {
	ID, OwnerID         int64
	Name, Description   string
	Type                Type
	Price, CurrentPrice int64
	Hashtags            []string
	Image               Image
	Status              Status
	LikeCount, BidCount int64
	CreatedAt           time.Time
}

// Restore rebuilds an art read from storage.
func Restore(r Record) *Art {
	return &Art{
		id: r.ID, ownerID: r.OwnerID, name: r.Name, description: r.Description, artType: r.Type,
		price: r.Price, currentPrice: r.CurrentPrice, hashtags: RestoreHashtags(r.Hashtags), image: r.Image,
		status: r.Status, likeCount: r.LikeCount, bidCount: r.BidCount, createdAt: r.CreatedAt,
	}
}

func (a *Art) ID() int64            { return a.id }
func (a *Art) OwnerID() int64       { return a.ownerID }
func (a *Art) Name() string         { return a.name }
func (a *Art) Description() string  { return a.description }
func (a *Art) Type() Type           { return a.artType }
func (a *Art) Price() int64         { return a.price }
func (a *Art) CurrentPrice() int64  { return a.currentPrice }
func (a *Art) Hashtags() Hashtags   { return a.hashtags }
func (a *Art) Image() Image         { return a.image }
func (a *Art) Status() Status       { return a.status }
func (a *Art) LikeCount() int64     { return a.likeCount }
func (a *Art) BidCount() int64      { return a.bidCount }
func (a *Art) CreatedAt() time.Time { return a.createdAt }

// Change lists the fields an owner asked to edit; nil leaves a field as is and
// hashtags replace the whole list.
type Change struct {
	Name        *string
	Description *string
	Hashtags    []string
	HasHashtags bool
}

// Edit applies a change by member by: only the owner, and not once sold. An
// auction art with bids may still be edited (the OpenAPI document).
func (a *Art) Edit(by int64, ch Change) error {
	if by != a.ownerID {
		return ErrNotOwner
	}
	if a.status == StatusSold {
		return ErrSold
	}
	var c validation.Collector
	name, description, tags := a.name, a.description, a.hashtags
	if ch.Name != nil {
		name = strings.TrimSpace(*ch.Name)
		c.Merge(checkName(name))
	}
	if ch.Description != nil {
		description = strings.TrimSpace(*ch.Description)
		c.Merge(checkDescription(description))
	}
	if ch.HasHashtags {
		t, err := NewHashtags(ch.Hashtags)
		c.Merge(err)
		tags = t
	}
	if err := c.Err(); err != nil {
		return err
	}
	a.name, a.description, a.hashtags = name, description, tags
	return nil
}

// CheckDeletable says whether member by may delete the art now.
func (a *Art) CheckDeletable(by int64) error {
	switch {
	case by != a.ownerID:
		return ErrNotOwner
	case a.status == StatusSold:
		return ErrSold
	case a.bidCount > 0:
		return ErrAuctionHasBids
	}
	return nil
}
