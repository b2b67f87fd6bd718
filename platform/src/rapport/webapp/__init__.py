"""The web app: the built single-page app served at ``/``, and the OpenAPI document of its API client."""
