package secrets

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// KeySize is the length of an AES-256 key in bytes.
const KeySize = 32

// Where LoadKey looks for the key, in this order.
const (
	// EnvKey holds the key itself.
	EnvKey = "FRONTDESK_SECRET_KEY"
	// EnvKeyFile names a file holding the key, e.g. a mounted container secret.
	EnvKeyFile = "FRONTDESK_SECRET_KEY_FILE"
	// KeyFileName is the key file LoadKey generates in the data directory when neither
	// variable is set.
	KeyFileName = "secret.key"
)

// LoadKey returns the 32-byte key for stored credentials. It takes it from the
// FRONTDESK_SECRET_KEY variable, else from the file FRONTDESK_SECRET_KEY_FILE names,
// else from <dataDir>/secret.key, which it creates (mode 0600, and dataDir with 0700 if
// missing) with a fresh random key on first use.
//
// A key is written as standard padded base64 of 32 bytes (44 characters, as
// `openssl rand -base64 32` prints) or as 64 hex digits (`openssl rand -hex 32`);
// surrounding white space is ignored. Anything else is an error naming its source.
//
// The generated file must stay private: LoadKey refuses it when group or others may read
// or write it, as ssh does with private keys, since it is the one thing that unlocks the
// stored credentials. A file named by FRONTDESK_SECRET_KEY_FILE is taken at any mode,
// because secret mounts are often world-readable inside their container by design.
//
// Back the key up apart from the database: without it the stored credentials cannot be
// read and must be entered again.
func LoadKey(dataDir string) ([]byte, error) {
	if v, ok := os.LookupEnv(EnvKey); ok && v != "" {
		return parseKey(v, "environment variable "+EnvKey)
	}
	if name, ok := os.LookupEnv(EnvKeyFile); ok && name != "" {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("secrets: reading the key file %s named by %s: %w", name, EnvKeyFile, err)
		}
		return parseKey(string(data), "key file "+name+" (named by "+EnvKeyFile+")")
	}
	if dataDir == "" {
		return nil, fmt.Errorf("secrets: no data directory for %s and neither %s nor %s is set", KeyFileName, EnvKey, EnvKeyFile)
	}
	return loadOrCreateKeyFile(filepath.Join(dataDir, KeyFileName))
}

// parseKey decodes a key written in one of the accepted encodings; source names where
// it came from for the error message.
func parseKey(text, source string) ([]byte, error) {
	s := strings.TrimSpace(text)
	if len(s) == hex.EncodedLen(KeySize) {
		if key, err := hex.DecodeString(s); err == nil {
			return key, nil
		}
	}
	if key, err := base64.StdEncoding.DecodeString(s); err == nil && len(key) == KeySize {
		return key, nil
	}
	return nil, fmt.Errorf("secrets: %s does not hold a valid key: want %d bytes as standard base64 (44 characters, e.g. `openssl rand -base64 32`) or as 64 hex digits (`openssl rand -hex 32`)", source, KeySize)
}

func loadOrCreateKeyFile(path string) ([]byte, error) {
	key, err := readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("secrets: creating the directory for %s: %w", path, err)
	}
	if err := createKeyFile(path); err != nil {
		return nil, err
	}
	// Read back rather than return the generated key: if another process won the race
	// to create the file, its key is the one that counts.
	return readKeyFile(path)
}

func readKeyFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("secrets: %w", err)
	}
	// Windows has no such mode bits; its ACLs are out of reach here.
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secrets: key file %s has mode %v, which lets other users read or change it; run `chmod 600 %s`", path, info.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	return parseKey(string(data), "key file "+path)
}

// createKeyFile writes a new random key to path unless a file is already there. The key
// is written to a temporary file first and linked into place, so a crash never leaves a
// half-written key behind and a concurrent start never overwrites a key in use.
func createKeyFile(path string) error {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("secrets: generating a key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+KeyFileName+"-*") // mode 0600
	if err != nil {
		return fmt.Errorf("secrets: creating the key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("secrets: writing the key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("secrets: creating the key file %s: %w", path, err)
	}
	return nil
}
