package booking

import (
	"context"

	"frontdesk/hooks/jobs"
)

// RunRemind runs the reminder job's handler, for tests that move the clock.
func (m *Manager) RunRemind(ctx context.Context, j *jobs.Job) error { return m.runRemind(ctx, j) }

// ManageToken exposes the manage link's secret of booking id.
func (m *Manager) ManageToken(id string) string { return m.manageToken(id) }
