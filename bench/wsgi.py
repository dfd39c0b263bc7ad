"""The application as gunicorn serves it in the benchmark, plus a bare route to measure the ceiling against."""

from marketplace import create_app

app = create_app()


@app.route("/_bench/hello")
def hello():
    return "hello"
