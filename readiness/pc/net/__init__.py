"""Network measurements: downlink, egress IP and the exam server's reachability.

Every call has a timeout and the network part of a run shares one deadline, so nothing hangs.
"""
