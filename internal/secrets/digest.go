package secrets

import (
	"crypto/sha256"
	"encoding/hex"
)

// Digest is data's SHA-256 in lower-case hex (64 characters). Conversation tokens are
// stored as it, so the database alone opens no conversation; the audit chain links its
// entries by it; a prefix of it names a version (the widget's ETag, a cached model
// client's key).
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
