package knowledge

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// vectorStore keeps chunk vectors in a bbolt file beside the bleve index, so hybrid
// search needs neither bleve's faiss build nor cgo. Layout: one bucket per business,
// one nested bucket per source, keyed by the chunk's number within the source, values
// are unit-length float32 vectors (little endian), so cosine similarity is a dot product.
// A practice has hundreds to a few thousand chunks, so a scan per search is cheap.
type vectorStore struct {
	db *bolt.DB
}

func openVectorStore(path string) (*vectorStore, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, ErrInUse
	}
	if err != nil {
		return nil, fmt.Errorf("knowledge: open vectors: %w", err)
	}
	return &vectorStore{db: db}, nil
}

func (s *vectorStore) close() error { return s.db.Close() }

// replaceSource drops the source's vectors and stores vecs (one per chunk, or none).
func (s *vectorStore) replaceSource(business, sourceID string, chunks []Chunk, vecs [][]float32) error {
	if len(vecs) == 0 && !s.hasSource(business, sourceID) {
		return nil // nothing to write: spare the sync of a write transaction
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte(business)); b != nil {
			if b.Bucket([]byte(sourceID)) != nil {
				if err := b.DeleteBucket([]byte(sourceID)); err != nil {
					return err
				}
			}
		}
		if len(vecs) == 0 {
			return nil
		}
		b, err := tx.CreateBucketIfNotExists([]byte(business))
		if err != nil {
			return err
		}
		sb, err := b.CreateBucket([]byte(sourceID))
		if err != nil {
			return err
		}
		for i := range chunks {
			if err := sb.Put([]byte(strconv.Itoa(i)), encodeVector(vecs[i])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("knowledge: store vectors: %w", err)
	}
	return nil
}

func (s *vectorStore) hasSource(business, sourceID string) bool {
	var ok bool
	_ = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(business))
		ok = b != nil && b.Bucket([]byte(sourceID)) != nil
		return nil
	})
	return ok
}

func (s *vectorStore) deleteSource(business, sourceID string) error {
	if !s.hasSource(business, sourceID) {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(business))
		if b == nil || b.Bucket([]byte(sourceID)) == nil {
			return nil
		}
		return b.DeleteBucket([]byte(sourceID))
	})
	if err != nil {
		return fmt.Errorf("knowledge: delete vectors: %w", err)
	}
	return nil
}

func (s *vectorStore) deleteBusiness(business string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte(business)) == nil {
			return nil
		}
		return tx.DeleteBucket([]byte(business))
	})
	if err != nil {
		return fmt.Errorf("knowledge: delete vectors: %w", err)
	}
	return nil
}

// vectorHit is a chunk ID with its cosine similarity to the query.
type vectorHit struct {
	chunkID string
	cosine  float64
}

// nearest returns the n chunks of business most similar to q. Vectors of another
// length (an embedding model changed since they were stored) are skipped.
func (s *vectorStore) nearest(business string, q []float32, n int) ([]vectorHit, error) {
	q = normalize(q)
	var hits []vectorHit
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(business))
		if b == nil {
			return nil
		}
		return b.ForEachBucket(func(source []byte) error {
			return b.Bucket(source).ForEach(func(k, v []byte) error {
				if len(v) != 4*len(q) {
					return nil
				}
				var dot float64
				for i := range q {
					dot += float64(q[i]) * float64(math.Float32frombits(binary.LittleEndian.Uint32(v[4*i:])))
				}
				hits = append(hits, vectorHit{chunkID: string(source) + "#" + string(k), cosine: dot})
				return nil
			})
		})
	})
	if err != nil {
		return nil, fmt.Errorf("knowledge: read vectors: %w", err)
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].cosine > hits[j].cosine })
	if len(hits) > n {
		hits = hits[:n]
	}
	return hits, nil
}

func normalize(v []float32) []float32 {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if sum == 0 {
		return out
	}
	inv := 1 / math.Sqrt(sum)
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out
}

func encodeVector(v []float32) []byte {
	v = normalize(v)
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}
