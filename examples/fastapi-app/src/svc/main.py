import os

from fastapi import FastAPI

app = FastAPI(title="svc")


@app.get("/")
def root() -> dict:
    return {"framework": "fastapi", "message": "hello from svc", "user": os.getuid()}
