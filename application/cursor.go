package application

import (
	"encoding/base64"
	"encoding/binary"
	"hash/fnv"
	"strings"

	"github.com/artauction/artauction/domain/validation"
)

// Keyset is where an item stands in its list's order: the values the list is
// sorted by, ending with one no other item shares (an id). The page after it
// holds the items that sort after those values, so rows added meanwhile
// neither repeat nor hide any. Stores make and read keysets; clients see them
// only inside an opaque cursor.
type Keyset []int64

// ErrInvalidCursor is a cursor whose position does not fit the list it is
// used on; stores wrap it when a keyset has the wrong shape.
var ErrInvalidCursor = validation.Field("cursor", "is not a cursor of this list")

// errForeignCursor is a well-formed cursor made for another list, other
// filters or another order.
var errForeignCursor = validation.Field("cursor", "was made for another list, other filters or another sort")

// listScope names one list with everything that decides its content and
// order: a cursor made under one scope is refused under any other.
type listScope string

const (
	cursorVersion = 1
	// maxCursorLength bounds what is decoded; real cursors are under 80 characters.
	maxCursorLength = 128
	// maxKeysetValues bounds a decoded keyset; no order has more columns.
	maxKeysetValues = 8
	// scopeHashLength is how much of the scope's hash a cursor carries.
	scopeHashLength = 8
)

var cursorEncoding = base64.RawURLEncoding

// encodeCursor packs the scope's hash, the number of the page it starts and
// the keyset as varints, URL-safe.
func encodeCursor(list listScope, number int, after Keyset) string {
	buf := make([]byte, 0, 1+scopeHashLength+(1+len(after))*binary.MaxVarintLen64)
	buf = append(buf, cursorVersion)
	buf = binary.BigEndian.AppendUint64(buf, scopeHash(list))
	buf = binary.AppendUvarint(buf, uint64(number))
	for _, v := range after {
		buf = binary.AppendVarint(buf, v)
	}
	return cursorEncoding.EncodeToString(buf)
}

// decodeCursor unpacks a cursor made by encodeCursor for the same scope.
func decodeCursor(cursor string, list listScope) (int, Keyset, error) {
	raw, err := cursorEncoding.DecodeString(cursor)
	if err != nil || len(raw) < 1+scopeHashLength || raw[0] != cursorVersion {
		return 0, nil, ErrInvalidCursor
	}
	if binary.BigEndian.Uint64(raw[1:]) != scopeHash(list) {
		return 0, nil, errForeignCursor
	}
	rest := raw[1+scopeHashLength:]
	number, n := binary.Uvarint(rest)
	if n <= 0 || number < 2 || number > MaxPageNumber {
		return 0, nil, ErrInvalidCursor
	}
	rest = rest[n:]
	var after Keyset
	for len(rest) > 0 {
		v, n := binary.Varint(rest)
		if n <= 0 || len(after) == maxKeysetValues {
			return 0, nil, ErrInvalidCursor
		}
		after = append(after, v)
		rest = rest[n:]
	}
	if len(after) == 0 {
		return 0, nil, ErrInvalidCursor
	}
	return int(number), after, nil
}

func scopeHash(list listScope) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(list)) // a hash.Hash never fails to write
	return h.Sum64()
}

// wellFormedCursor accepts what encodeCursor can make, before it is decoded.
func wellFormedCursor(cursor string) bool {
	if cursor == "" || len(cursor) > maxCursorLength {
		return false
	}
	return strings.IndexFunc(cursor, func(r rune) bool {
		urlSafe := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_'
		return !urlSafe
	}) < 0
}
