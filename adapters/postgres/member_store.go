package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/point"
)

var _ application.MemberStore = (*MemberStore)(nil)

// Unique constraints of the members table, named in the migration.
const (
	membersEmailKey    = "members_email_key"
	membersNicknameKey = "members_nickname_key"
)

type memberRow struct {
	bun.BaseModel `bun:"table:members"`

	ID              int64     `bun:"id,pk,autoincrement"`
	Email           string    `bun:"email"`
	PasswordHash    string    `bun:"password_hash"`
	Nickname        string    `bun:"nickname"`
	Name            string    `bun:"name"`
	School          string    `bun:"school"`
	Phone           string    `bun:"phone"`
	PointsTotal     int64     `bun:"points_total"`
	PointsAvailable int64     `bun:"points_available"`
	CreatedAt       time.Time `bun:"created_at"`
	UpdatedAt       time.Time `bun:"updated_at"`
}

func memberToRow(m *member.Member) memberRow {
	return memberRow{
		ID:              m.ID(),
		Email:           m.Email().String(),
		PasswordHash:    m.PasswordHash(),
		Nickname:        m.Nickname().String(),
		Name:            m.Name(),
		School:          m.School(),
		Phone:           m.Phone(),
		PointsTotal:     m.Balance().Total(),
		PointsAvailable: m.Balance().Available(),
		CreatedAt:       m.CreatedAt(),
		UpdatedAt:       m.CreatedAt(),
	}
}

func memberFromRow(r memberRow) *member.Member {
	return member.Restore(r.ID, member.Email(r.Email), r.PasswordHash, member.Nickname(r.Nickname),
		r.Name, r.School, r.Phone, point.RestoreBalance(r.PointsTotal, r.PointsAvailable), r.CreatedAt.UTC())
}

// MemberStore keeps members in the members table.
type MemberStore struct {
	db *bun.DB
}

// NewMemberStore builds a MemberStore over db.
func NewMemberStore(db *bun.DB) *MemberStore {
	return &MemberStore{db: db}
}

// Create inserts a new member and returns the id the database gave it.
func (s *MemberStore) Create(ctx context.Context, m *member.Member) (int64, error) {
	row := memberToRow(m)
	if _, err := idb(ctx, s.db).NewInsert().Model(&row).Returning("id").Exec(ctx); err != nil {
		return 0, memberWriteError("insert member", err)
	}
	return row.ID, nil
}

// memberColumns are memberRow's columns but updated_at, which no reader needs.
const memberColumns = `id, email, password_hash, nickname, name, school, phone, points_total, points_available, created_at`

// ByID finds a member by id: the member page, and every request of a member
// about themselves.
func (s *MemberStore) ByID(ctx context.Context, id int64) (*member.Member, error) {
	return s.findOne(ctx, `SELECT `+memberColumns+` FROM members WHERE id = $1`, id)
}

// ByEmail finds a member by (normalized) email.
func (s *MemberStore) ByEmail(ctx context.Context, email member.Email) (*member.Member, error) {
	return s.findOne(ctx, `SELECT `+memberColumns+` FROM members WHERE email = $1`, email.String())
}

func (s *MemberStore) findOne(ctx context.Context, query string, arg any) (*member.Member, error) {
	var row memberRow
	err := prepared(ctx, s.db).QueryRow(ctx, query, arg).Scan(&row.ID, &row.Email, &row.PasswordHash, &row.Nickname,
		&row.Name, &row.School, &row.Phone, &row.PointsTotal, &row.PointsAvailable, &row.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, member.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("select member: %w", err)
	}
	return memberFromRow(row), nil
}

// EmailExists tells whether a member registered with email.
func (s *MemberStore) EmailExists(ctx context.Context, email member.Email) (bool, error) {
	return s.exists(ctx, "email = ?", email.String())
}

// NicknameExists tells whether a member goes by nickname.
func (s *MemberStore) NicknameExists(ctx context.Context, nickname member.Nickname) (bool, error) {
	return s.exists(ctx, "nickname = ?", nickname.String())
}

func (s *MemberStore) exists(ctx context.Context, where string, arg any) (bool, error) {
	found, err := idb(ctx, s.db).NewSelect().Model((*memberRow)(nil)).Where(where, arg).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("look for member: %w", err)
	}
	return found, nil
}

// UpdateProfile stores the member's nickname, school and phone.
func (s *MemberStore) UpdateProfile(ctx context.Context, m *member.Member) error {
	res, err := idb(ctx, s.db).NewUpdate().Model((*memberRow)(nil)).
		Set("nickname = ?", m.Nickname().String()).
		Set("school = ?", m.School()).
		Set("phone = ?", m.Phone()).
		Set("updated_at = now()").
		Where("id = ?", m.ID()).
		Exec(ctx)
	if err != nil {
		return memberWriteError("update profile", err)
	}
	return oneMemberChanged(res)
}

// UpdatePasswordHash replaces the member's password hash.
func (s *MemberStore) UpdatePasswordHash(ctx context.Context, memberID int64, hash string) error {
	res, err := idb(ctx, s.db).NewUpdate().Model((*memberRow)(nil)).
		Set("password_hash = ?", hash).
		Set("updated_at = now()").
		Where("id = ?", memberID).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("update password hash: %w", err)
	}
	return oneMemberChanged(res)
}

func oneMemberChanged(res sql.Result) error {
	n, err := rowsAffected(res)
	if err != nil {
		return err
	}
	if n == 0 {
		return member.ErrNotFound
	}
	return nil
}

// memberWriteError turns a broken unique constraint into the domain error it means.
func memberWriteError(op string, err error) error {
	if constraint, ok := violatedConstraint(err, uniqueViolation); ok {
		switch constraint {
		case membersEmailKey:
			return member.ErrEmailTaken
		case membersNicknameKey:
			return member.ErrNicknameTaken
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}
