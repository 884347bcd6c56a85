"""Reading and writing files for the user: Excel rosters and sheets, PDF exports."""
