"""The mayor's office views of the monthly evaluations: the red/black ranking (红黑榜), trends,
the drill-down, and the printable reports (operator PDF, city summary XLSX)."""
