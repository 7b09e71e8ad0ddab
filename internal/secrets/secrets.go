// Package secrets encrypts the credentials Frontdesk stores in its database (API keys,
// OAuth tokens) with AES-256-GCM, under a key that lives outside the database, so a
// copied database file alone does not give those credentials away.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Canary is the plaintext of the canary token the app stores once, encrypted, beside the
// credentials; decrypting it at start proves the configured key is the one the data was
// encrypted with, before any real credential is needed.
const Canary = "frontdesk secret key canary v1"

// tokenPrefix versions the token format so the algorithm or key can change later while
// old tokens stay readable.
const tokenPrefix = "v1:"

var (
	// ErrWrongKey means a token failed authentication: it was encrypted under another key
	// or altered since. Decrypt never returns garbage instead.
	ErrWrongKey = errors.New("secrets: decryption failed: wrong key or altered data")

	// ErrMalformed means the text is not a token this package produced.
	ErrMalformed = errors.New("secrets: malformed token")

	// ErrKeyMismatch is what Check and VerifyCanary return for a token made under
	// another key; its message tells the operator what to do. It wraps ErrWrongKey.
	ErrKeyMismatch = fmt.Errorf("the secret key does not match the one this data was encrypted with; set %s to the original key: %w", EnvKey, ErrWrongKey)
)

// Box encrypts and decrypts tokens under one key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for a 32-byte AES-256 key, as LoadKey returns.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secrets: key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	// The random-nonce GCM prepends a fresh 96-bit nonce to each ciphertext; at the
	// handful of credentials a practice stores, the 2^32-message limit is out of reach.
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Encrypt returns plaintext sealed as a text token "v1:<base64(nonce|ciphertext|tag)>",
// fit for a text column. Equal plaintexts give different tokens.
func (b *Box) Encrypt(plaintext string) (string, error) {
	sealed := b.aead.Seal(nil, nil, []byte(plaintext), nil)
	return tokenPrefix + base64.StdEncoding.EncodeToString(sealed), nil
}

// Decrypt returns the plaintext of a token made by Encrypt. It returns an error wrapping
// ErrMalformed when token is not such a token, and ErrWrongKey when it does not
// authenticate under this Box's key.
func (b *Box) Decrypt(token string) (string, error) {
	rest, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok {
		return "", fmt.Errorf("%w: want the %q prefix", ErrMalformed, tokenPrefix)
	}
	sealed, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(sealed) < b.aead.Overhead() {
		return "", fmt.Errorf("%w: %d bytes is shorter than a nonce and tag", ErrMalformed, len(sealed))
	}
	plain, err := b.aead.Open(nil, nil, sealed, nil)
	if err != nil {
		return "", ErrWrongKey
	}
	return string(plain), nil
}

// Check reports whether token, any value this app encrypted earlier, decrypts under this
// Box's key, so that a wrong key stops the app at start instead of failing later on the
// first use of a credential. A token from another key gives ErrKeyMismatch.
func (b *Box) Check(token string) error {
	_, err := b.Decrypt(token)
	if errors.Is(err, ErrWrongKey) {
		return ErrKeyMismatch
	}
	return err
}

// VerifyCanary is Check for the stored canary token (made with Encrypt(Canary)): it
// also requires the plaintext to be Canary.
func (b *Box) VerifyCanary(token string) error {
	plain, err := b.Decrypt(token)
	if errors.Is(err, ErrWrongKey) {
		return ErrKeyMismatch
	}
	if err != nil {
		return err
	}
	if plain != Canary {
		return fmt.Errorf("secrets: the stored canary decrypts but is not the canary text: %w", ErrMalformed)
	}
	return nil
}
