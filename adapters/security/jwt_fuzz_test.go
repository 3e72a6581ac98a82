package security_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/artauction/artauction/adapters/security"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auth"
)

// FuzzJWTParse mutates tokens signed with the service's key. HS256 is
// deterministic, so the seeds are the same on every run and the only tokens
// the key ever signed here. Property: Parse never panics, refuses with a 401
// error, and accepts only a signed token byte for byte, with exactly its claims.
// A token that differs anywhere, even in base64 bits that decode to the same
// bytes, is another token and is refused.
func FuzzJWTParse(f *testing.F) {
	tokens, err := security.NewJWTAccessTokens(secret, 15*time.Minute)
	if err != nil {
		f.Fatal(err)
	}
	signed := map[string]application.AccessClaims{}
	for _, sub := range []int64{42, 7, 1 << 40} {
		claims := validClaims()
		claims["sub"] = strconv.FormatInt(sub, 10)
		token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
		if err != nil {
			f.Fatal(err)
		}
		signed[token] = application.AccessClaims{
			MemberID: sub, TokenID: claims["jti"].(string), SessionID: claims["sid"].(string),
			IssuedAt: time.Unix(claims["iat"].(int64), 0), ExpiresAt: time.Unix(claims["exp"].(int64), 0),
		}
		header, body, signature := splitToken(f, token)
		f.Add(token)
		f.Add(token + "=")
		f.Add(header + "=." + body + "." + signature)
		f.Add(header + "." + body + "." + withSlackBitSet(signature))
		f.Add(strings.TrimRight(header, "=") + "." + body + ".")
		f.Add(" " + token)
	}
	f.Add("")
	f.Add("..")
	f.Add("not.a.token")
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiI0MiJ9.")

	at := now.Add(time.Second)
	f.Fuzz(func(t *testing.T, token string) {
		claims, err := tokens.Parse(token, at)
		if err != nil {
			if !errors.Is(err, auth.ErrUnauthenticated) && !errors.Is(err, auth.ErrTokenExpired) {
				t.Fatalf("Parse(%q) failed with %v, which is not a 401", token, err)
			}
			return
		}
		want, ok := signed[token]
		if !ok {
			t.Fatalf("accepted %q, which is not a token the key signed, as %+v", token, claims)
		}
		if claims.MemberID != want.MemberID || claims.TokenID != want.TokenID || claims.SessionID != want.SessionID ||
			!claims.IssuedAt.Equal(want.IssuedAt) || !claims.ExpiresAt.Equal(want.ExpiresAt) {
			t.Fatalf("Parse(%q) = %+v, signed %+v", token, claims, want)
		}
	})
}

// FuzzJWTSigners signs fuzzed claims with the service's key and HS256, or in a
// way the service must refuse: another key, another HMAC size under the same
// key (algorithm confusion), ES256, or alg "none". Property: only the first is
// ever accepted, and then with exactly the signed claims.
func FuzzJWTSigners(f *testing.F) {
	tokens, err := security.NewJWTAccessTokens(secret, 15*time.Minute)
	if err != nil {
		f.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	signers := []struct {
		method  jwt.SigningMethod
		key     any
		refused bool
	}{
		{jwt.SigningMethodHS256, secret, false},
		{jwt.SigningMethodHS256, []byte("another secret of enough length!"), true},
		{jwt.SigningMethodHS384, secret, true},
		{jwt.SigningMethodHS512, secret, true},
		{jwt.SigningMethodES256, ecKey, true},
		{jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, true},
	}
	for signer := range signers {
		f.Add(uint8(signer), "42", "5f2b0c9e4d1a4b8f", "session-1", int64(-1), int64(60))
	}
	f.Add(uint8(0), "+42", "j", "s", int64(0), int64(1))
	f.Add(uint8(0), "042", "j", "s", int64(0), int64(1))
	f.Add(uint8(0), "-1", "j", "s", int64(0), int64(1))
	f.Add(uint8(0), "9223372036854775808", "j", "s", int64(0), int64(1))
	f.Add(uint8(0), "42", "", "s", int64(0), int64(1))
	f.Add(uint8(0), "42", "j", "", int64(0), int64(1))
	f.Add(uint8(0), "42", "j", "s", int64(5), int64(60))
	f.Add(uint8(0), "42", "j", "s", int64(-120), int64(-1))

	f.Fuzz(func(t *testing.T, signer uint8, sub, jti, sid string, iatOffset, expOffset int64) {
		s := signers[int(signer)%len(signers)]
		iat, exp := now.Unix()+iatOffset%(1<<32), now.Unix()+expOffset%(1<<32)
		token, err := jwt.NewWithClaims(s.method, jwt.MapClaims{"sub": sub, "jti": jti, "sid": sid, "iat": iat, "exp": exp}).
			SignedString(s.key)
		if err != nil {
			t.Fatal(err)
		}
		claims, err := tokens.Parse(token, now)
		if err != nil {
			if !errors.Is(err, auth.ErrUnauthenticated) && !errors.Is(err, auth.ErrTokenExpired) {
				t.Fatalf("refused with %v, which is not a 401", err)
			}
			return
		}
		if s.refused {
			t.Fatalf("accepted a token signed with %s under a key not the service's: %+v", s.method.Alg(), claims)
		}
		// JSON carries strings as UTF-8, so the signed text is the input made valid.
		sub, jti, sid = asSignedText(sub), asSignedText(jti), asSignedText(sid)
		if strconv.FormatInt(claims.MemberID, 10) != sub || claims.TokenID != jti || claims.SessionID != sid ||
			claims.IssuedAt.Unix() != iat || claims.ExpiresAt.Unix() != exp {
			t.Fatalf("signed sub=%q jti=%q sid=%q iat=%d exp=%d, parsed %+v", sub, jti, sid, iat, exp, claims)
		}
		if claims.MemberID < 1 || jti == "" || sid == "" || iat > now.Unix() || exp <= now.Unix() {
			t.Fatalf("accepted claims the service never issues: %+v", claims)
		}
	})
}

// asSignedText is s as a JSON string carries it.
func asSignedText(s string) string {
	encoded, _ := json.Marshal(s) //nolint:errchkjson // a string always encodes
	var text string
	_ = json.Unmarshal(encoded, &text)
	return text
}

// base64URL is the alphabet of JWT segments.
const base64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// withSlackBitSet flips the lowest bit of an HS256 signature's last character:
// 43 characters carry 258 bits for 256, so that bit is padding, and a lenient
// decoder reads the same signature from a different token.
func withSlackBitSet(signature string) string {
	last := strings.IndexByte(base64URL, signature[len(signature)-1])
	return signature[:len(signature)-1] + string(base64URL[last^1])
}

func splitToken(tb testing.TB, token string) (header, body, signature string) {
	tb.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		tb.Fatalf("%q is not a compact JWS", token)
	}
	return parts[0], parts[1], parts[2]
}
