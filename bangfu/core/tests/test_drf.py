from rest_framework import status

from bangfu.core.drf import exception_handler
from bangfu.core.errors import PermissionDenied, ValidationFailed


def test_validation_failed_becomes_400_with_messages_per_field():
    response = exception_handler(
        ValidationFailed({"end_date": ["Too early."], "__all__": ["Conflict."]}), {}
    )
    assert response is not None
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.data == {"end_date": ["Too early."], "non_field_errors": ["Conflict."]}


def test_permission_denied_becomes_403_with_its_message():
    response = exception_handler(PermissionDenied("Outside your scope."), {})
    assert response is not None
    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert response.data == {"detail": "Outside your scope."}


def test_other_errors_are_left_to_the_server():
    assert exception_handler(RuntimeError("bug"), {}) is None
