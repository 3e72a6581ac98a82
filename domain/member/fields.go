package member

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/artauction/artauction/domain/validation"
)

// Email is a normalized (trimmed, lower-cased) mail address.
type Email string

// NewEmail validates and normalizes an address.
func NewEmail(raw string) (Email, error) {
	s := strings.ToLower(strings.TrimSpace(raw))
	if s == "" {
		return "", validation.Field("email", "is required")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || len(s) > 254 {
		return "", validation.Field("email", "must be a valid email address")
	}
	return Email(s), nil
}

func (e Email) String() string { return string(e) }

// Nickname is 2 to 20 letters or digits (Hangul and other scripts allowed).
type Nickname string

// NewNickname validates a nickname.
func NewNickname(raw string) (Nickname, error) {
	s := strings.TrimSpace(raw)
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 20 {
		return "", validation.Field("nickname", "must be 2 to 20 letters or digits")
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return "", validation.Field("nickname", "must contain only letters and digits")
		}
	}
	return Nickname(s), nil
}

func (n Nickname) String() string { return string(n) }

// Password is a plain password that satisfies the policy; it is only ever hashed.
type Password string

// NewPassword checks the policy: 8 to 64 characters with a letter, a digit and a symbol.
// field names the request field, since the same policy serves several requests.
func NewPassword(field, raw string) (Password, error) {
	n := utf8.RuneCountInString(raw)
	if n < 8 || n > 64 {
		return "", validation.Field(field, "must be 8 to 64 characters")
	}
	var letter, digit, symbol bool
	for _, r := range raw {
		switch {
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsSpace(r) || unicode.IsControl(r):
		default:
			symbol = true
		}
	}
	if !letter || !digit || !symbol {
		return "", validation.Field(field, "must contain a letter, a digit and a symbol")
	}
	return Password(raw), nil
}

func (p Password) String() string { return string(p) }

const (
	maxNameLen   = 50
	maxSchoolLen = 100
)

func validName(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= 1 && n <= maxNameLen
}

func validSchool(s string) bool { return utf8.RuneCountInString(s) <= maxSchoolLen }

// validPhone accepts an optional international or local number: digits with
// an optional leading '+', spaces and dashes, 7 to 15 digits.
func validPhone(s string) bool {
	if s == "" {
		return true
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == '-', r == ' ':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}
