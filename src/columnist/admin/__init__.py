"""`columnist admin`: the editor's desk in a browser (Starlette, served by uvicorn)."""
