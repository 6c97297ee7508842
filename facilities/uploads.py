"""Files are taken by the admin's forms only: no public form has a file field, so a file sent
to one is refused (400) before a byte of it is stored."""

from django.core.exceptions import SuspiciousOperation
from django.core.files.uploadhandler import FileUploadHandler


class UnexpectedFile(SuspiciousOperation):
    pass


class AdminOnlyUploadHandler(FileUploadHandler):
    def new_file(self, field_name, file_name, *args, **kwargs):
        if not self.request.path.startswith("/admin/"):
            raise UnexpectedFile(f"A file ({field_name}) sent to {self.request.path}")

    def receive_data_chunk(self, raw_data, start):
        return raw_data  # to the next handler, which keeps it

    def file_complete(self, file_size):
        return None
