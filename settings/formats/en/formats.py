# Ura's users are in Europe: day before month, 24-hour clock (Django's "en" defaults are American).
# One date format for the language, on every page and in every date field: 21/11/2026.
DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1
# The first is what a date field shows (and so what its user types); ISO is still read, for the API's
# callers and for what a browser's own date field sends.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
