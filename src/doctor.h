#ifndef SB_DOCTOR_H
#define SB_DOCTOR_H
#endif
