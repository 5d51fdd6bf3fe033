"""Appeals (申诉) against a deduction of a monthly or a snow result, and the result pages."""
