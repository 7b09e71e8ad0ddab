package secrets

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func newBox(t *testing.T, fill byte) *Box {
	t.Helper()
	b, err := New(bytes.Repeat([]byte{fill}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	b := newBox(t, 1)
	for _, plain := range []string{"", "sk-ant-api03-xyz", "ünïcödé ✓", strings.Repeat("x", 10000)} {
		tok, err := b.Encrypt(plain)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tok, "v1:") {
			t.Errorf("token %q lacks the v1: prefix", tok)
		}
		if plain != "" && strings.Contains(tok, plain) {
			t.Errorf("token contains the plaintext")
		}
		got, err := b.Decrypt(tok)
		if err != nil {
			t.Fatalf("Decrypt(%q): %v", tok, err)
		}
		if got != plain {
			t.Errorf("round trip of %d bytes gave %d bytes", len(plain), len(got))
		}
	}
}

func TestEncryptIsRandomized(t *testing.T) {
	b := newBox(t, 1)
	t1, _ := b.Encrypt("same")
	t2, _ := b.Encrypt("same")
	if t1 == t2 {
		t.Error("two encryptions of the same plaintext gave the same token")
	}
}

func TestWrongKey(t *testing.T) {
	tok, _ := newBox(t, 1).Encrypt("secret")
	got, err := newBox(t, 2).Decrypt(tok)
	if !errors.Is(err, ErrWrongKey) {
		t.Fatalf("Decrypt under another key: got %q, %v; want ErrWrongKey", got, err)
	}
	if got != "" {
		t.Errorf("Decrypt returned %q along with the error", got)
	}
}

func TestTampered(t *testing.T) {
	b := newBox(t, 1)
	tok, _ := b.Encrypt("secret")
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(tok, "v1:"))
	for i := range raw {
		bad := bytes.Clone(raw)
		bad[i] ^= 0x01
		_, err := b.Decrypt("v1:" + base64.StdEncoding.EncodeToString(bad))
		if !errors.Is(err, ErrWrongKey) {
			t.Fatalf("flipping a bit of byte %d: got %v, want ErrWrongKey", i, err)
		}
	}
	if _, err := b.Decrypt("v1:" + base64.StdEncoding.EncodeToString(raw[:len(raw)-1])); !errors.Is(err, ErrWrongKey) {
		t.Errorf("truncated token: got %v, want ErrWrongKey", err)
	}
}

func TestMalformedTokens(t *testing.T) {
	b := newBox(t, 1)
	for _, tok := range []string{
		"",
		"plaintext-api-key",
		"v2:AAAA",
		"v1:not base64!",
		"v1:" + base64.StdEncoding.EncodeToString(make([]byte, 27)), // shorter than nonce+tag
	} {
		if _, err := b.Decrypt(tok); !errors.Is(err, ErrMalformed) {
			t.Errorf("Decrypt(%q): got %v, want ErrMalformed", tok, err)
		}
	}
}

func TestNewRejectsBadKeyLength(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New with a %d-byte key succeeded", n)
		}
	}
}

func TestCheckAndCanary(t *testing.T) {
	right, wrong := newBox(t, 1), newBox(t, 2)
	canary, _ := right.Encrypt(Canary)

	if err := right.VerifyCanary(canary); err != nil {
		t.Errorf("VerifyCanary with the right key: %v", err)
	}
	if err := right.Check(canary); err != nil {
		t.Errorf("Check with the right key: %v", err)
	}

	for name, err := range map[string]error{"Check": wrong.Check(canary), "VerifyCanary": wrong.VerifyCanary(canary)} {
		if !errors.Is(err, ErrKeyMismatch) || !errors.Is(err, ErrWrongKey) {
			t.Errorf("%s with the wrong key: got %v, want ErrKeyMismatch wrapping ErrWrongKey", name, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "does not match the one this data was encrypted with") || !strings.Contains(msg, "FRONTDESK_SECRET_KEY") {
			t.Errorf("%s message does not tell the operator what to do: %q", name, msg)
		}
	}

	other, _ := right.Encrypt("not the canary")
	if err := right.VerifyCanary(other); err == nil {
		t.Error("VerifyCanary accepted a token that is not the canary")
	}
	if err := right.VerifyCanary("garbage"); !errors.Is(err, ErrMalformed) {
		t.Errorf("VerifyCanary(garbage): got %v, want ErrMalformed", err)
	}
}

func TestDigest(t *testing.T) {
	// SHA-256 of "abc", FIPS 180-2 appendix B.1.
	if got := Digest([]byte("abc")); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("Digest(abc) = %s", got)
	}
}
