"""The signed-request and certificate protocol shared by the terminals and the registry."""
