"""A cap on the files one request may carry, enforced while they are read."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class RequestSizeLimitHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: stops reading an upload once the files of the
    request pass REQUEST_MAX_BYTES, whatever its Content-Length claimed (a chunked body,
    a server that does not bound it), so nothing larger is ever spooled to disk.

    RequestDataTooBig is answered 413 by `think_tank.errors.bad_request`.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.REQUEST_MAX_BYTES:
            raise RequestDataTooBig("The request is larger than REQUEST_MAX_BYTES.")

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.REQUEST_MAX_BYTES:
            raise RequestDataTooBig("The uploaded files are larger than REQUEST_MAX_BYTES.")
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file
