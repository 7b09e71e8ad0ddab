// Package e2e drives the visitor widget in a real headless Chromium against the real app:
// the demo page, streamed replies, history after a reload, the contact form, XSS payloads,
// a hostile host page, cross-origin embedding, keyboard-only use and a phone-size screen.
// It holds only tests; they skip when no Chromium is installed.
package e2e
