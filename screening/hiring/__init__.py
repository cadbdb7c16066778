"""Pages for vacancies, candidates and the interview room."""
