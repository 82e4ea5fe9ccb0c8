"""Sign-in and sign-out pages (thin wrappers around Django's views)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from bangfu.accounts.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign out; Django accepts POST only, so a link can't sign anybody out."""
