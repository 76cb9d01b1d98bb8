"""The request type of views and endpoints that require a signed-in user."""

from django.http import HttpRequest

from .models import User


class AuthedRequest(HttpRequest):
    user: User
