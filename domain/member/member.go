// Package member holds members: who they are and the rules of their profile.
package member

import (
	"errors"
	"strings"
	"time"

	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/validation"
)

// Errors of the member aggregate.
var (
	ErrNotFound      = errors.New("member not found")
	ErrEmailTaken    = errors.New("email already registered")
	ErrNicknameTaken = errors.New("nickname already taken")
)

// Registration is a validated sign-up request, before the password is hashed.
type Registration struct {
	email    Email
	password Password
	nickname Nickname
	name     string
	school   string
	phone    string
}

// NewRegistration validates every field of a sign-up and reports all bad fields at once.
func NewRegistration(email, password, nickname, name, school, phone string) (Registration, error) {
	var c validation.Collector
	e, err := NewEmail(email)
	c.Merge(err)
	p, err := NewPassword("password", password)
	c.Merge(err)
	n, err := NewNickname(nickname)
	c.Merge(err)
	name = strings.TrimSpace(name)
	c.Check(validName(name), "name", "must be 1 to 50 characters")
	school = strings.TrimSpace(school)
	c.Check(validSchool(school), "school", "must be at most 100 characters")
	phone = strings.TrimSpace(phone)
	c.Check(validPhone(phone), "phone", "must be a phone number of 7 to 15 digits")
	if err := c.Err(); err != nil {
		return Registration{}, err
	}
	return Registration{email: e, password: p, nickname: n, name: name, school: school, phone: phone}, nil
}

func (r Registration) Email() Email       { return r.email }
func (r Registration) Password() Password { return r.password }
func (r Registration) Nickname() Nickname { return r.nickname }

// Member is a registered person: a buyer, an artist, or both.
type Member struct {
	id           int64
	email        Email
	passwordHash string
	nickname     Nickname
	name         string
	school       string
	phone        string
	balance      point.Balance
	createdAt    time.Time
}

// New creates a member from a registration and the hash of its password.
func New(r Registration, passwordHash string, now time.Time) (*Member, error) {
	if passwordHash == "" {
		return nil, errors.New("member: empty password hash")
	}
	return &Member{
		email: r.email, passwordHash: passwordHash, nickname: r.nickname,
		name: r.name, school: r.school, phone: r.phone, createdAt: now.UTC(),
	}, nil
}

// Restore rebuilds a member read from storage.
func Restore(id int64, email Email, passwordHash string, nickname Nickname, name, school, phone string,
	balance point.Balance, createdAt time.Time) *Member {
	return &Member{
		id: id, email: email, passwordHash: passwordHash, nickname: nickname, name: name,
		school: school, phone: phone, balance: balance, createdAt: createdAt,
	}
}

func (m *Member) ID() int64              { return m.id }
func (m *Member) Email() Email           { return m.email }
func (m *Member) PasswordHash() string   { return m.passwordHash }
func (m *Member) Nickname() Nickname     { return m.nickname }
func (m *Member) Name() string           { return m.name }
func (m *Member) School() string         { return m.school }
func (m *Member) Phone() string          { return m.phone }
func (m *Member) Balance() point.Balance { return m.balance }
func (m *Member) CreatedAt() time.Time   { return m.createdAt }

// ProfileChange lists the fields a member asked to change; nil leaves a field as is.
type ProfileChange struct {
	Nickname *string
	School   *string
	Phone    *string
}

// ChangeProfile applies a validated profile change; an empty school or phone clears it.
func (m *Member) ChangeProfile(ch ProfileChange) error {
	var c validation.Collector
	nickname := m.nickname
	if ch.Nickname != nil {
		n, err := NewNickname(*ch.Nickname)
		c.Merge(err)
		nickname = n
	}
	school := m.school
	if ch.School != nil {
		school = strings.TrimSpace(*ch.School)
		c.Check(validSchool(school), "school", "must be at most 100 characters")
	}
	phone := m.phone
	if ch.Phone != nil {
		phone = strings.TrimSpace(*ch.Phone)
		c.Check(validPhone(phone), "phone", "must be a phone number of 7 to 15 digits")
	}
	if err := c.Err(); err != nil {
		return err
	}
	m.nickname, m.school, m.phone = nickname, school, phone
	return nil
}

// ChangePasswordHash replaces the stored hash after the caller checked the old password.
func (m *Member) ChangePasswordHash(hash string) {
	m.passwordHash = hash
}
