"""One package per Lambda function; each `app.py` holds its `lambda_handler`."""
