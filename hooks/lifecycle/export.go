package lifecycle

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"frontdesk/internal/guard"
	"frontdesk/models"
)

// exportPage is how many records the export reads at a time: it streams, so its
// memory does not grow with the practice.
const exportPage = 500

// neverExported are fields left out of an export even if a schema change forgot to
// mark them hidden: a conversation's token hash, encrypted credentials.
var neverExported = []string{"token_hash", "llm_api_key", "secret"}

// The CSV files of an export: the visitor data staff open in a spreadsheet.
var exportCSVs = []struct {
	collection string
	columns    []string
}{
	{models.ConversationsCollection, []string{"id", "created", "last_message_at", "status", "visitor_id", "page_url", "locale", "message_count", "health_flagged"}},
	{models.MessagesCollection, []string{"id", "conversation", "created", "role", "text"}},
	{models.LeadsCollection, []string{"id", "created", "name", "email", "phone", "service", "sms_consent", "status", "conversation"}},
}

// export is GET /api/frontdesk/export: the owner's copy of everything the practice
// holds, one ZIP streamed as it is written. manifest.json says what is inside;
// json/COLLECTION.json holds every record of each collection with a business field (the
// practice itself in json/businesses.json), without hidden or encrypted fields;
// conversations.csv, messages.csv and leads.csv are the visitor data for spreadsheets;
// files/COLLECTION/RECORD/NAME are uploaded files. Audited before the first byte.
func (m *Manager) export(e *core.RequestEvent) error {
	b, err := ownedPractice(e)
	if err != nil {
		return err
	}
	cols, err := practiceCollections(e.App)
	if err != nil {
		return err
	}
	counts := map[string]int{models.BusinessesCollection: 1}
	total := 1
	for _, c := range cols {
		var n int
		if err := e.App.DB().Select("COUNT(*)").From(c.Name).Where(dbx.HashExp{"business": b.Id}).Row(&n); err != nil {
			return fmt.Errorf("export: count %s: %w", c.Name, err)
		}
		counts[c.Name] = n
		total += n
	}
	// No export without its audit entry.
	entry := AuditEntry{Business: b.Id, Actor: models.Actor(e.Auth), Action: "export", Target: fmt.Sprintf("practice export (%d records)", total), IP: e.RealIP()}
	if err := m.opts.Auditor.Record(entry); err != nil {
		return fmt.Errorf("export: audit: %w", err)
	}

	now := m.now().UTC()
	h := e.Response.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="`+b.GetString("slug")+"-export-"+now.Format("2006-01-02")+`.zip"`)
	h.Set("Cache-Control", "no-store")
	e.Response.WriteHeader(http.StatusOK)

	x := &exporter{app: e.App, zw: zip.NewWriter(e.Response), business: b.Id, now: now}
	if err := x.write(b, cols, counts); err != nil {
		// The status is sent: the download ends short and the archive doesn't open.
		return fmt.Errorf("export: %w", err)
	}
	return x.zw.Close()
}

// exporter writes one practice's export archive.
type exporter struct {
	app      core.App
	zw       *zip.Writer
	business string
	now      time.Time
}

func (x *exporter) write(b *core.Record, cols []*core.Collection, counts map[string]int) error {
	manifest := map[string]any{
		"practice":    map[string]string{"id": b.Id, "slug": b.GetString("slug"), "name": b.GetString("name")},
		"exported_at": x.now.Format(time.RFC3339),
		"records":     counts,
	}
	if err := x.writeJSON("manifest.json", manifest); err != nil {
		return err
	}
	if err := x.writeJSON("json/"+models.BusinessesCollection+".json", []any{exportable(b)}); err != nil {
		return err
	}
	for _, c := range cols {
		if err := x.writeRecords(c); err != nil {
			return err
		}
	}
	for _, f := range exportCSVs {
		if err := x.writeCSV(f.collection, f.columns); err != nil {
			return err
		}
	}
	for _, c := range cols {
		if hasFileField(c) {
			if err := x.writeFiles(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// each calls fn with the practice's records of c, a page at a time, in id order.
func (x *exporter) each(c *core.Collection, fn func(r *core.Record) error) error {
	last := ""
	for {
		var recs []*core.Record
		err := x.app.RecordQuery(c).
			AndWhere(dbx.HashExp{"business": x.business}).
			AndWhere(dbx.NewExp("id > {:last}", dbx.Params{"last": last})).
			OrderBy("id").Limit(exportPage).All(&recs)
		if err != nil {
			return fmt.Errorf("read %s: %w", c.Name, err)
		}
		for _, r := range recs {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(recs) < exportPage {
			return nil
		}
		last = recs[len(recs)-1].Id
	}
}

// exportable is what an export keeps of r: its public fields, and staff emails (the
// practice's own team).
func exportable(r *core.Record) map[string]any {
	r.IgnoreEmailVisibility(true)
	out := r.PublicExport()
	for _, f := range neverExported {
		delete(out, f)
	}
	return out
}

// writeRecords writes json/NAME.json: a JSON array, one record a line.
func (x *exporter) writeRecords(c *core.Collection) error {
	w, err := x.zw.Create("json/" + c.Name + ".json")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	sep := "\n"
	err = x.each(c, func(r *core.Record) error {
		data, err := json.Marshal(exportable(r))
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		sep = ",\n"
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n]\n")
	return err
}

func (x *exporter) writeJSON(name string, v any) error {
	w, err := x.zw.Create(name)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeCSV writes NAME.csv with columns, RFC 4180 by encoding/csv, every cell defused
// against formula injection.
func (x *exporter) writeCSV(collection string, columns []string) error {
	c, err := x.app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return err
	}
	w, err := x.zw.Create(collection + ".csv")
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(columns); err != nil {
		return err
	}
	row := make([]string, len(columns))
	err = x.each(c, func(r *core.Record) error {
		for i, col := range columns {
			row[i] = guard.CSVCell(cellText(r, col))
		}
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// cellText is a field's value as a CSV cell.
func cellText(r *core.Record, field string) string {
	switch v := r.Get(field).(type) {
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return r.GetString(field)
}

// writeFiles adds the uploaded files of c's practice records under files/.
func (x *exporter) writeFiles(c *core.Collection) error {
	fsys, err := x.app.NewFilesystem()
	if err != nil {
		return err
	}
	defer fsys.Close()
	return x.each(c, func(r *core.Record) error {
		for _, f := range c.Fields {
			if f.Type() != core.FieldTypeFile {
				continue
			}
			for _, name := range r.GetStringSlice(f.GetName()) {
				if err := x.copyFile(fsys, r.BaseFilesPath()+"/"+name, "files/"+c.Name+"/"+r.Id+"/"+name); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// copyFile adds the stored file key to the archive as name. A file missing from
// storage is left out rather than failing the whole export.
func (x *exporter) copyFile(fsys *filesystem.System, key, name string) error {
	rd, err := fsys.GetReader(key)
	if errors.Is(err, filesystem.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read file: %w", err)
	}
	defer rd.Close()
	w, err := x.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: rd.ModTime()})
	if err != nil {
		return err
	}
	_, err = io.Copy(w, rd)
	return err
}
