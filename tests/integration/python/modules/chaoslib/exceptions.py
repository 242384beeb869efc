class ChaosException(Exception):
    pass


class ActivityFailed(ChaosException):
    pass


class InterruptExecution(ChaosException):
    pass
