package jobs

// DueQuery exposes the poll's query to the tests' query-plan check.
var DueQuery = dueQuery
