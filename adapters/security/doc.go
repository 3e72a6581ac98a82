// Package security implements the cryptographic ports of authentication:
// password hashing, signed access tokens and random secrets.
package security
