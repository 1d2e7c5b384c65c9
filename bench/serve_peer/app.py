"""The benchmark's peer for `github-digest serve`: FastAPI with the same API-key middleware
(header first, cookie as fallback) and the same GET /info/version route, run by uvicorn."""
import hmac
import os

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

KEY_NAME = os.environ.get("FAST_API__AUTH__API_KEY__NAME", "")
KEY_VALUE = os.environ.get("FAST_API__AUTH__API_KEY__VALUE", "")
EXEMPT = {"/docs", "/openapi.json", "/auth/set-cookie-form", "/auth/set-auth-cookie"}

app = FastAPI()


def denied(message):
    return JSONResponse(status_code=401, content={"data": None, "error": None,
                                                  "message": message, "status": "error"})


@app.middleware("http")
async def check_api_key(request: Request, call_next):
    if request.url.path not in EXEMPT:
        if not KEY_NAME:
            return denied("Server does not have API key name setup")
        if not KEY_VALUE:
            return denied("Server does not have API key value setup")
        key = request.headers.get(KEY_NAME) or request.cookies.get(KEY_NAME)
        if not key:
            return denied("Client API key is missing, you need to set it on a header or cookie")
        if not hmac.compare_digest(key.encode(), KEY_VALUE.encode()):
            return denied("Invalid API key value")
    return await call_next(request)


@app.get("/info/version")
def version():
    return {"version": "v0.1.0"}
