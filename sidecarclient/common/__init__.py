"""Parts shared by every API version and front end."""
