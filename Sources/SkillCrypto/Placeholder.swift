import SkillCore
