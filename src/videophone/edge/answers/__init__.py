"""The API's answers: one module of Pydantic response models per route module (issue 13, "typed
answers"), so that ``/openapi.json`` describes every JSON answer."""
