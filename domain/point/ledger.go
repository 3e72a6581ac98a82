package point

import "time"

// LedgerEntry records one change of a member's total.
type LedgerEntry struct {
	memberID  int64
	entryType EntryType
	amount    int64
	artID     int64
	createdAt time.Time
}

// NewLedgerEntry builds an entry; artID is 0 when no art is involved.
func NewLedgerEntry(memberID int64, t EntryType, amount Amount, artID int64, at time.Time) LedgerEntry {
	return LedgerEntry{memberID: memberID, entryType: t, amount: int64(amount), artID: artID, createdAt: at}
}

// RestoreLedgerEntry rebuilds an entry read from storage.
func RestoreLedgerEntry(memberID int64, t EntryType, amount int64, artID int64, at time.Time) LedgerEntry {
	return LedgerEntry{memberID: memberID, entryType: t, amount: amount, artID: artID, createdAt: at}
}

func (e LedgerEntry) MemberID() int64      { return e.memberID }
func (e LedgerEntry) Type() EntryType      { return e.entryType }
func (e LedgerEntry) Amount() int64        { return e.amount }
func (e LedgerEntry) ArtID() int64         { return e.artID }
func (e LedgerEntry) CreatedAt() time.Time { return e.createdAt }
