package notify

// SetCrashPoints sets the functions run right after a send and right after its mark,
// where TestKill* stop the process.
func SetCrashPoints(send, mark func(entry string)) { afterSend, afterMark = send, mark }
