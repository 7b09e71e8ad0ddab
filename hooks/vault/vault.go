// Package vault keeps stored credentials (a practice's model API key, integration
// credentials) encrypted at rest with the appliance's key (internal/secrets): encrypted
// on every save, never returned by the API, checked against a canary at start, and left
// out of every backup.
package vault

import (
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/secrets"
	"frontdesk/models"
)

// encryptedFields are the stored credentials, encrypted before they reach SQLite.
var encryptedFields = map[string]string{
	models.BusinessesCollection:  "llm_api_key",
	models.CredentialsCollection: "value",
	"webhooks":                   "secret", // the signing secret of a practice's alert webhook
}

// Vault opens the secret box once, from the configured key or the key files.
type Vault struct {
	app core.App
	key []byte

	once sync.Once
	box  *secrets.Box
	err  error
}

func (v *Vault) get() (*secrets.Box, error) {
	v.once.Do(func() {
		if v.key == nil {
			v.key, v.err = secrets.LoadKey(v.app.DataDir())
			if v.err != nil {
				return
			}
		}
		v.box, v.err = secrets.New(v.key)
	})
	return v.box, v.err
}

// Derive returns a 32-byte key for one purpose (label), derived from the appliance's
// secret key, so a capability can sign what it hands out (a booking's manage link)
// without a key of its own to keep.
func (v *Vault) Derive(label string) ([]byte, error) {
	if _, err := v.get(); err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, v.key)
	mac.Write([]byte("frontdesk derive\x00" + label))
	return mac.Sum(nil), nil
}

// Decrypt returns the plaintext of a stored credential ("" stays "").
func (v *Vault) Decrypt(stored string) (string, error) {
	if stored == "" {
		return "", nil
	}
	box, err := v.get()
	if err != nil {
		return "", err
	}
	return box.Decrypt(stored)
}

// Bind encrypts the stored credentials on save and guards them; key is the appliance's
// key, or nil to load it from the data directory or the environment when first needed
// (secrets.LoadKey).
func Bind(app core.App, key []byte) *Vault {
	v := &Vault{app: app, key: key}
	encrypt := func(e *core.RecordEvent) error {
		field := encryptedFields[e.Record.Collection().Name]
		val := e.Record.GetString(field)
		if val == "" {
			return e.Next()
		}
		box, err := v.get()
		if err != nil {
			return fmt.Errorf("encrypt %s: %w", field, err)
		}
		// A value that already decrypts is stored as it is (an unchanged form resubmitted).
		if _, err := box.Decrypt(val); err != nil {
			enc, err := box.Encrypt(val)
			if err != nil {
				return fmt.Errorf("encrypt %s: %w", field, err)
			}
			e.Record.Set(field, enc)
		}
		return e.Next()
	}
	for col := range encryptedFields {
		app.OnRecordCreate(col).BindFunc(encrypt)
		app.OnRecordUpdate(col).BindFunc(encrypt)
		app.OnRecordCreateRequest(col).BindFunc(writeOnly)
		app.OnRecordUpdateRequest(col).BindFunc(writeOnly)
	}
	// Backups never hold the key: a backup with its key decrypts every stored
	// credential. A restore leaves the key in place for the same reason.
	keepKeyOut := func(e *core.BackupEvent) error {
		e.Exclude = append(e.Exclude, secrets.KeyFileName)
		return e.Next()
	}
	app.OnBackupCreate().BindFunc(keepKeyOut)
	app.OnBackupRestore().BindFunc(keepKeyOut)
	// At serve, after migrations: a wrong key fails the start with a clear message
	// instead of producing garbage later.
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := checkCanary(app, v); err != nil {
			return err
		}
		return se.Next()
	})
	return v
}

// writeOnly lets staff set a stored credential. The fields are hidden so they are never
// returned, and PocketBase drops hidden fields from a non-superuser's request body, so an
// owner's key would be answered 200 and silently not stored: this hook reads the field
// back from the body itself. The collection's API rule has already admitted the caller
// (update), or is checked when the record is submitted (create).
func writeOnly(e *core.RecordRequestEvent) error {
	if e.HasSuperuserAuth() {
		return e.Next() // superusers' bodies keep hidden fields
	}
	field := encryptedFields[e.Collection.Name]
	body := map[string]any{}
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The body could not be read.", err)
	}
	raw, ok := body[field]
	if !ok {
		return e.Next()
	}
	val, isString := raw.(string)
	if !isString {
		return e.BadRequestError("Invalid "+field+".", validation.Errors{
			field: validation.NewError("invalid_secret", "Send the secret as a string (an empty string removes it)."),
		})
	}
	if e.Collection.Name == models.CredentialsCollection && val != "" && !isJSONObject(val) {
		return e.BadRequestError("Invalid value.", validation.Errors{
			field: validation.NewError("invalid_credential", `The value must be a JSON object, such as {"api_key": "..."}.`),
		})
	}
	e.Record.Set(field, val)
	return e.Next()
}

func isJSONObject(s string) bool {
	var m map[string]any
	return json.Unmarshal([]byte(s), &m) == nil && m != nil
}

const canaryKey = "secret_canary"

// checkCanary proves the key is the one the stored credentials were encrypted with, by
// decrypting a token stored at first start (and storing it when there is none).
func checkCanary(app core.App, v *Vault) error {
	box, err := v.get()
	if err != nil {
		return err
	}
	rec, err := app.FindFirstRecordByData(models.AppStateCollection, "key", canaryKey)
	if err != nil {
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read secret canary: %w", err)
		}
		token, err := box.Encrypt(secrets.Canary)
		if err != nil {
			return err
		}
		col, err := app.FindCollectionByNameOrId(models.AppStateCollection)
		if err != nil {
			return err
		}
		rec = core.NewRecord(col)
		rec.Set("key", canaryKey)
		rec.Set("value", token)
		return app.Save(rec)
	}
	return box.VerifyCanary(rec.GetString("value"))
}
