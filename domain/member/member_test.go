package member_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/validation"
)

// invalidFields returns the field names of a validation error, failing the test
// for any other error.
func invalidFields(t *testing.T, err error) []string {
	t.Helper()
	var verr *validation.Error
	require.ErrorAs(t, err, &verr)
	names := make([]string, 0, len(verr.Fields()))
	for _, f := range verr.Fields() {
		names = append(names, f.Field)
	}
	return names
}

func ptr(s string) *string { return &s }

func TestNewEmailNormalizes(t *testing.T) {
	tests := []struct {
		raw  string
		want member.Email
	}{
		{raw: "alice@example.com", want: "alice@example.com"},
		{raw: "  Alice@Example.COM\t", want: "alice@example.com"},
		{raw: "first.last+tag@sub.example.org", want: "first.last+tag@sub.example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := member.NewEmail(tt.raw)

			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, string(tt.want), got.String())
		})
	}
}

func TestNewEmailRejects(t *testing.T) {
	tests := map[string]string{
		"empty":                 "",
		"only spaces":           "   ",
		"no at sign":            "alice.example.com",
		"no domain":             "alice@",
		"no local part":         "@example.com",
		"display name":          "Alice <alice@example.com>",
		"two addresses":         "a@example.com, b@example.com",
		"space inside":          "ali ce@example.com",
		"longer than 254 chars": strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com",
	}
	for name, raw := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := member.NewEmail(raw)

			assert.Empty(t, got)
			assert.Equal(t, []string{"email"}, invalidFields(t, err))
		})
	}
}

func TestNewEmailAcceptsExactly254Chars(t *testing.T) {
	raw := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com"
	require.Len(t, raw, 254)

	_, err := member.NewEmail(raw)

	assert.NoError(t, err)
}

func TestNewNicknameAccepts(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want member.Nickname
	}{
		{name: "latin letters", raw: "painter", want: "painter"},
		{name: "Hangul", raw: "김철수", want: "김철수"},
		{name: "letters and digits", raw: "artist2024", want: "artist2024"},
		{name: "two characters", raw: "ab", want: "ab"},
		{name: "two Hangul characters", raw: "철수", want: "철수"},
		{name: "twenty characters", raw: strings.Repeat("a", 20), want: member.Nickname(strings.Repeat("a", 20))},
		{name: "twenty Hangul characters", raw: strings.Repeat("김", 20), want: member.Nickname(strings.Repeat("김", 20))},
		{name: "surrounding spaces are trimmed", raw: "  painter ", want: "painter"},
		{name: "digits only", raw: "12345", want: "12345"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := member.NewNickname(tt.raw)

			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestNewNicknameRejects(t *testing.T) {
	tests := map[string]string{
		"empty":                   "",
		"one character":           "a",
		"one Hangul character":    "김",
		"twenty-one characters":   strings.Repeat("a", 21),
		"twenty-one Hangul chars": strings.Repeat("김", 21),
		"space inside":            "art ist",
		"underscore":              "art_ist",
		"hyphen":                  "art-ist",
		"exclamation mark":        "artist!",
		"emoji":                   "artist🎨",
		"Hangul with a symbol":    "김철수*",
	}
	for name, raw := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := member.NewNickname(raw)

			assert.Empty(t, got)
			assert.Equal(t, []string{"nickname"}, invalidFields(t, err))
		})
	}
}

func TestNewPasswordAccepts(t *testing.T) {
	tests := map[string]string{
		"eight characters":       "abcdef1!",
		"sixty-four characters":  "a1!" + strings.Repeat("x", 61),
		"Hangul letters":         "비밀번호12345!",
		"space counts as length": "abc 12 !",
	}
	for name, raw := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := member.NewPassword("password", raw)

			require.NoError(t, err)
			assert.Equal(t, raw, got.String())
		})
	}
}

func TestNewPasswordRejects(t *testing.T) {
	tests := map[string]string{
		"empty":                 "",
		"seven characters":      "abcde1!",
		"sixty-five characters": "a1!" + strings.Repeat("x", 62),
		"no letter":             "12345678!",
		"no digit":              "abcdefgh!",
		"no symbol":             "abcdefgh1",
		"space is no symbol":    "abcdefg 1",
	}
	for name, raw := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := member.NewPassword("new_password", raw)

			assert.Empty(t, got)
			assert.Equal(t, []string{"new_password"}, invalidFields(t, err), "the error names the field it was given")
		})
	}
}

type registrationInput struct {
	email, password, nickname, name, school, phone string
}

func validRegistration() registrationInput {
	return registrationInput{
		email: "Alice@Example.com", password: "s3cret!pass", nickname: "김철수",
		name: "Alice Kim", school: "Seoul Arts", phone: "+82 10-1234-5678",
	}
}

func (in registrationInput) build() (member.Registration, error) {
	return member.NewRegistration(in.email, in.password, in.nickname, in.name, in.school, in.phone)
}

func TestNewRegistrationAcceptsAValidSignUp(t *testing.T) {
	reg, err := validRegistration().build()

	require.NoError(t, err)
	assert.Equal(t, member.Email("alice@example.com"), reg.Email())
	assert.Equal(t, member.Password("s3cret!pass"), reg.Password())
	assert.Equal(t, member.Nickname("김철수"), reg.Nickname())
}

func TestNewRegistrationAcceptsEmptyOptionalFields(t *testing.T) {
	in := validRegistration()
	in.school, in.phone = "", ""

	_, err := in.build()

	assert.NoError(t, err)
}

func TestNewRegistrationReportsEveryBadField(t *testing.T) {
	in := registrationInput{
		email:    "not-an-email",
		password: "short",
		nickname: "x",
		name:     "   ",
		school:   strings.Repeat("s", 101),
		phone:    "call me",
	}

	_, err := in.build()

	assert.Equal(t, []string{"email", "password", "nickname", "name", "school", "phone"}, invalidFields(t, err))
}

func TestNewRegistrationRejectsOneBadField(t *testing.T) {
	tests := []struct {
		field  string
		change func(*registrationInput)
	}{
		{field: "email", change: func(in *registrationInput) { in.email = "" }},
		{field: "password", change: func(in *registrationInput) { in.password = "password" }},
		{field: "nickname", change: func(in *registrationInput) { in.nickname = "김 철수" }},
		{field: "name", change: func(in *registrationInput) { in.name = "" }},
		{field: "name", change: func(in *registrationInput) { in.name = strings.Repeat("n", 51) }},
		{field: "school", change: func(in *registrationInput) { in.school = strings.Repeat("s", 101) }},
		{field: "phone", change: func(in *registrationInput) { in.phone = "123456" }},
		{field: "phone", change: func(in *registrationInput) { in.phone = "1234567890123456" }},
		{field: "phone", change: func(in *registrationInput) { in.phone = "010+1234+5678" }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			in := validRegistration()
			tt.change(&in)

			_, err := in.build()

			assert.Equal(t, []string{tt.field}, invalidFields(t, err))
		})
	}
}

func TestNewRegistrationAcceptsLimits(t *testing.T) {
	tests := map[string]func(*registrationInput){
		"name of 50 characters":   func(in *registrationInput) { in.name = strings.Repeat("n", 50) },
		"school of 100 chars":     func(in *registrationInput) { in.school = strings.Repeat("s", 100) },
		"phone of 7 digits":       func(in *registrationInput) { in.phone = "1234567" },
		"phone of 15 digits":      func(in *registrationInput) { in.phone = "+123456789012345" },
		"phone with dashes":       func(in *registrationInput) { in.phone = "010-1234-5678" },
		"Hangul name of 50 chars": func(in *registrationInput) { in.name = strings.Repeat("김", 50) },
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			in := validRegistration()
			change(&in)

			_, err := in.build()

			assert.NoError(t, err)
		})
	}
}

func TestNewBuildsAMemberFromARegistration(t *testing.T) {
	reg, err := validRegistration().build()
	require.NoError(t, err)
	now := time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("KST", 9*60*60))

	m, err := member.New(reg, "hash", now)

	require.NoError(t, err)
	assert.Equal(t, int64(0), m.ID(), "the store gives the id")
	assert.Equal(t, member.Email("alice@example.com"), m.Email())
	assert.Equal(t, "hash", m.PasswordHash())
	assert.Equal(t, member.Nickname("김철수"), m.Nickname())
	assert.Equal(t, "Alice Kim", m.Name())
	assert.Equal(t, "Seoul Arts", m.School())
	assert.Equal(t, "+82 10-1234-5678", m.Phone())
	assert.Equal(t, point.Balance{}, m.Balance())
	assert.Equal(t, now.UTC(), m.CreatedAt())
	assert.Equal(t, time.UTC, m.CreatedAt().Location())
}

func TestNewRefusesAnEmptyPasswordHash(t *testing.T) {
	reg, err := validRegistration().build()
	require.NoError(t, err)

	m, err := member.New(reg, "", time.Now())

	assert.Nil(t, m)
	assert.Error(t, err)
}

func restoredMember() *member.Member {
	return member.Restore(7, "alice@example.com", "hash", "alice", "Alice Kim", "Seoul Arts", "010-1234-5678",
		point.RestoreBalance(500, 300), time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

func TestRestoreKeepsEveryField(t *testing.T) {
	m := restoredMember()

	assert.Equal(t, int64(7), m.ID())
	assert.Equal(t, member.Email("alice@example.com"), m.Email())
	assert.Equal(t, "hash", m.PasswordHash())
	assert.Equal(t, member.Nickname("alice"), m.Nickname())
	assert.Equal(t, "Alice Kim", m.Name())
	assert.Equal(t, "Seoul Arts", m.School())
	assert.Equal(t, "010-1234-5678", m.Phone())
	assert.Equal(t, point.RestoreBalance(500, 300), m.Balance())
	assert.Equal(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), m.CreatedAt())
}

func TestChangeProfileApplies(t *testing.T) {
	tests := []struct {
		name                                string
		change                              member.ProfileChange
		wantNickname, wantSchool, wantPhone string
	}{
		{
			name:         "nothing asked changes nothing",
			change:       member.ProfileChange{},
			wantNickname: "alice", wantSchool: "Seoul Arts", wantPhone: "010-1234-5678",
		},
		{
			name:         "nickname only",
			change:       member.ProfileChange{Nickname: ptr(" 김철수 ")},
			wantNickname: "김철수", wantSchool: "Seoul Arts", wantPhone: "010-1234-5678",
		},
		{
			name:         "school and phone trimmed",
			change:       member.ProfileChange{School: ptr(" Hongik "), Phone: ptr(" +82 2 320 1114 ")},
			wantNickname: "alice", wantSchool: "Hongik", wantPhone: "+82 2 320 1114",
		},
		{
			name:         "empty school and phone clear them",
			change:       member.ProfileChange{School: ptr(""), Phone: ptr("")},
			wantNickname: "alice", wantSchool: "", wantPhone: "",
		},
		{
			name:         "everything at once",
			change:       member.ProfileChange{Nickname: ptr("bob"), School: ptr("KNUA"), Phone: ptr("01098765432")},
			wantNickname: "bob", wantSchool: "KNUA", wantPhone: "01098765432",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := restoredMember()

			err := m.ChangeProfile(tt.change)

			require.NoError(t, err)
			assert.Equal(t, member.Nickname(tt.wantNickname), m.Nickname())
			assert.Equal(t, tt.wantSchool, m.School())
			assert.Equal(t, tt.wantPhone, m.Phone())
			assert.Equal(t, "Alice Kim", m.Name(), "the name is not part of the profile change")
		})
	}
}

func TestChangeProfileRejectsAndLeavesTheMemberUnchanged(t *testing.T) {
	tests := []struct {
		name       string
		change     member.ProfileChange
		wantFields []string
	}{
		{name: "bad nickname", change: member.ProfileChange{Nickname: ptr("a")}, wantFields: []string{"nickname"}},
		{name: "bad school", change: member.ProfileChange{School: ptr(strings.Repeat("s", 101))}, wantFields: []string{"school"}},
		{name: "bad phone", change: member.ProfileChange{Phone: ptr("phone")}, wantFields: []string{"phone"}},
		{
			name:       "one bad field voids the good ones",
			change:     member.ProfileChange{Nickname: ptr("bob"), School: ptr("KNUA"), Phone: ptr("12")},
			wantFields: []string{"phone"},
		},
		{
			name:       "every bad field is reported",
			change:     member.ProfileChange{Nickname: ptr("bob!"), School: ptr(strings.Repeat("s", 101)), Phone: ptr("12")},
			wantFields: []string{"nickname", "school", "phone"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := restoredMember()

			err := m.ChangeProfile(tt.change)

			assert.Equal(t, tt.wantFields, invalidFields(t, err))
			assert.Equal(t, restoredMember(), m)
		})
	}
}

func TestChangePasswordHash(t *testing.T) {
	m := restoredMember()

	m.ChangePasswordHash("new-hash")

	assert.Equal(t, "new-hash", m.PasswordHash())
}
