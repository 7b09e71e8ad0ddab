package secrets

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// clearKeyEnv makes sure the developer's own environment does not leak into a test.
func clearKeyEnv(t *testing.T) {
	t.Setenv(EnvKey, "")
	t.Setenv(EnvKeyFile, "")
}

var testKey = bytes.Repeat([]byte{0xab, 0x01}, KeySize/2)

func TestLoadKeyFromEnv(t *testing.T) {
	for name, value := range map[string]string{
		"base64":            base64.StdEncoding.EncodeToString(testKey),
		"hex":               hex.EncodeToString(testKey),
		"upper hex":         strings.ToUpper(hex.EncodeToString(testKey)),
		"trailing new line": base64.StdEncoding.EncodeToString(testKey) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			clearKeyEnv(t)
			t.Setenv(EnvKey, value)
			// The file variable and data directory must be ignored when the key is set.
			t.Setenv(EnvKeyFile, filepath.Join(t.TempDir(), "missing"))
			dir := t.TempDir()
			key, err := LoadKey(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(key, testKey) {
				t.Errorf("got key %x", key)
			}
			if _, err := os.Stat(filepath.Join(dir, KeyFileName)); !os.IsNotExist(err) {
				t.Errorf("a key file was generated although %s is set", EnvKey)
			}
		})
	}
}

func TestLoadKeyFromFileVar(t *testing.T) {
	clearKeyEnv(t)
	name := filepath.Join(t.TempDir(), "key")
	// Mounted secrets are often world-readable; the named file is taken as it is.
	if err := os.WriteFile(name, []byte(hex.EncodeToString(testKey)+"\n"), 0o444); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvKeyFile, name)
	key, err := LoadKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(key, testKey) {
		t.Errorf("got key %x", key)
	}

	t.Setenv(EnvKeyFile, filepath.Join(t.TempDir(), "missing"))
	if _, err := LoadKey(t.TempDir()); err == nil || !strings.Contains(err.Error(), EnvKeyFile) {
		t.Errorf("missing key file: got %v, want an error naming %s", err, EnvKeyFile)
	}
}

func TestLoadKeyMalformed(t *testing.T) {
	bad := map[string]string{
		"short base64":    base64.StdEncoding.EncodeToString(testKey[:16]),
		"long base64":     base64.StdEncoding.EncodeToString(append(bytes.Clone(testKey), 0)),
		"short hex":       hex.EncodeToString(testKey[:31]),
		"hex with a typo": "zz" + hex.EncodeToString(testKey)[2:],
		"url base64":      "-_" + base64.StdEncoding.EncodeToString(testKey)[2:],
		"passphrase":      "correct horse battery staple",
	}
	for name, value := range bad {
		t.Run(name+" in env", func(t *testing.T) {
			clearKeyEnv(t)
			t.Setenv(EnvKey, value)
			_, err := LoadKey(t.TempDir())
			if err == nil || !strings.Contains(err.Error(), EnvKey) {
				t.Fatalf("got %v, want an error naming %s", err, EnvKey)
			}
			if strings.Contains(err.Error(), value) {
				t.Errorf("the error repeats the key material: %v", err)
			}
		})
		t.Run(name+" in file", func(t *testing.T) {
			clearKeyEnv(t)
			file := filepath.Join(t.TempDir(), "key")
			if err := os.WriteFile(file, []byte(value), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv(EnvKeyFile, file)
			_, err := LoadKey(t.TempDir())
			if err == nil || !strings.Contains(err.Error(), file) {
				t.Fatalf("got %v, want an error naming %s", err, file)
			}
		})
	}
}

func TestLoadKeyGeneratesFileOnce(t *testing.T) {
	clearKeyEnv(t)
	dir := filepath.Join(t.TempDir(), "pb_data") // not there yet: LoadKey creates it
	first, err := LoadKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != KeySize || bytes.Equal(first, make([]byte, KeySize)) {
		t.Fatalf("generated key %x is not 32 random bytes", first)
	}
	path := filepath.Join(dir, KeyFileName)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode is %v, want 0600", info.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if fromFile, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data))); err != nil || !bytes.Equal(fromFile, first) {
		t.Errorf("key file does not hold the returned key as base64: %q", data)
	}

	second, err := LoadKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Error("second LoadKey generated a new key instead of reusing the file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only %s (temporary files left behind?)", len(entries), KeyFileName)
	}

	// Data encrypted under the generated key stays readable after a "restart".
	b1, _ := New(first)
	tok, _ := b1.Encrypt("token")
	b2, _ := New(second)
	if got, err := b2.Decrypt(tok); err != nil || got != "token" {
		t.Errorf("decrypt after reload: %q, %v", got, err)
	}
}

func TestLoadKeyRefusesExposedKeyFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix mode bits")
	}
	clearKeyEnv(t)
	dir := t.TempDir()
	if _, err := LoadKey(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, KeyFileName)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadKey(dir)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") || !strings.Contains(err.Error(), path) {
		t.Errorf("world-readable key file: got %v, want a refusal naming the file and the fix", err)
	}
}

func TestLoadKeyCorruptGeneratedFile(t *testing.T) {
	clearKeyEnv(t)
	dir := t.TempDir()
	path := filepath.Join(dir, KeyFileName)
	if err := os.WriteFile(path, []byte("oops"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadKey(dir)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("got %v, want an error naming %s", err, path)
	}
	if data, _ := os.ReadFile(path); string(data) != "oops" {
		t.Error("LoadKey overwrote an existing key file")
	}
}
