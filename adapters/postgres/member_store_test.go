package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/point"
)

func TestMemberStoreCreateAndFind(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewMemberStore(db)
	ctx := context.Background()
	m := newMember(t, "Alice@Example.com", "김철수")

	id, err := store.Create(ctx, m)
	require.NoError(t, err)
	assert.Positive(t, id)

	byID, err := store.ByID(ctx, id)
	require.NoError(t, err)
	want := member.Restore(id, "alice@example.com", "hash-of-김철수", "김철수", "Alice Kim", "Seoul Arts",
		"010-1234-5678", point.Balance{}, testNow)
	assert.Equal(t, want, byID)

	byEmail, err := store.ByEmail(ctx, "alice@example.com")
	require.NoError(t, err)
	assert.Equal(t, want, byEmail)
}

func TestMemberStoreGivesEachMemberItsOwnID(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)

	first := createMember(t, db, "alice")
	second := createMember(t, db, "bob")

	assert.NotEqual(t, first, second)
}

func TestMemberStoreCreateRejectsTakenEmailAndNickname(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewMemberStore(db)
	ctx := context.Background()
	_, err := store.Create(ctx, newMember(t, "alice@example.com", "alice"))
	require.NoError(t, err)

	tests := []struct {
		name, email, nickname string
		wantErr               error
	}{
		{name: "same email", email: "alice@example.com", nickname: "other", wantErr: member.ErrEmailTaken},
		{name: "same nickname", email: "other@example.com", nickname: "alice", wantErr: member.ErrNicknameTaken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := store.Create(ctx, newMember(t, tt.email, tt.nickname))

			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
	assert.Equal(t, 1, countRows(t, db, "members", "TRUE"))
}

func TestMemberStoreLookupsOfAMissingMember(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewMemberStore(db)
	ctx := context.Background()

	_, err := store.ByID(ctx, 404)
	assert.ErrorIs(t, err, member.ErrNotFound)

	_, err = store.ByEmail(ctx, "nobody@example.com")
	assert.ErrorIs(t, err, member.ErrNotFound)
}

func TestMemberStoreExists(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewMemberStore(db)
	ctx := context.Background()
	createMember(t, db, "alice")

	for email, want := range map[member.Email]bool{"alice@example.com": true, "bob@example.com": false} {
		got, err := store.EmailExists(ctx, email)
		require.NoError(t, err)
		assert.Equal(t, want, got, email)
	}
	for nickname, want := range map[member.Nickname]bool{"alice": true, "bob": false} {
		got, err := store.NicknameExists(ctx, nickname)
		require.NoError(t, err)
		assert.Equal(t, want, got, nickname)
	}
}

func TestMemberStoreUpdateProfile(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewMemberStore(db)
	ctx := context.Background()
	id := createMember(t, db, "alice")
	m, err := store.ByID(ctx, id)
	require.NoError(t, err)
	nickname, school, phone := "alicia", "Hongik", ""
	require.NoError(t, m.ChangeProfile(member.ProfileChange{Nickname: &nickname, School: &school, Phone: &phone}))

	require.NoError(t, store.UpdateProfile(ctx, m))

	got, err := store.ByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, m, got)
}

func TestMemberStoreUpdateProfileToATakenNickname(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewMemberStore(db)
	ctx := context.Background()
	createMember(t, db, "alice")
	bob, err := store.ByID(ctx, createMember(t, db, "bob"))
	require.NoError(t, err)
	nickname := "alice"
	require.NoError(t, bob.ChangeProfile(member.ProfileChange{Nickname: &nickname}))

	err = store.UpdateProfile(ctx, bob)

	assert.ErrorIs(t, err, member.ErrNicknameTaken)
}

func TestMemberStoreUpdatesOfAMissingMember(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewMemberStore(db)
	ctx := context.Background()
	ghost := member.Restore(404, "ghost@example.com", "hash", "ghost", "Ghost", "", "", point.Balance{}, testNow)

	assert.ErrorIs(t, store.UpdateProfile(ctx, ghost), member.ErrNotFound)
	assert.ErrorIs(t, store.UpdatePasswordHash(ctx, 404, "new-hash"), member.ErrNotFound)
}

func TestMemberStoreUpdatePasswordHash(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewMemberStore(db)
	ctx := context.Background()
	id := createMember(t, db, "alice")

	require.NoError(t, store.UpdatePasswordHash(ctx, id, "new-hash"))

	got, err := store.ByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "new-hash", got.PasswordHash())
}
