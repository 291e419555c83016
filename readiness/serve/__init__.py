"""The site server (`readiness serve`): PCs submit reports over the LAN, the manager watches the
seats and the invigilators' phones live. Nothing here is imported by the other commands: the web
stack loads only when the server starts."""
